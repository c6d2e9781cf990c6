package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.Fault;

/**
 * Security review finding 9: while the platform's breaker was open, every pending capture was tried again every
 * second (about three statements each), for as long as the outage lasted. Now a row refused by the open breaker
 * waits for the breaker's next probe. Three captures are left pending by stopping the platform while their
 * requests are in flight; during the open period the outbox tries each at most once more, and after the restart
 * each is charged exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxBreakerBackoffIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1,
                "gateway.credit.breaker-failures=2",
                "gateway.credit.breaker-open-wait=6s",
                "gateway.usage.outbox.max-attempts=1000");
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off");
        stack.option("letaicode_fallback", "deny");
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @Test
    void rowsRefusedByTheOpenBreakerWaitForItsNextProbe() throws Exception {
        CreditsServer.Key key = stack.credits.userWithKey("100");
        CreditStack.ok(stack.chat(key, CreditStack.FIXED_1));
        stack.awaitDrained();

        stack.mock.fault(Fault.NONE.withDelay(Duration.ofMillis(2500)));
        List<CompletableFuture<Answer>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> stack.chat(key, CreditStack.FIXED_1)));
        }
        Thread.sleep(1200); // the holds are granted, the upstream is still answering
        stack.credits.stop();
        for (CompletableFuture<Answer> f : inFlight) {
            CreditStack.ok(f.get());
        }
        stack.mock.clearFaults();

        CreditPlatformClient client = stack.gw().context().getBean(CreditPlatformClient.class);
        CreditStack.poll(Duration.ofSeconds(15), () -> client.breakerState().name(), "OPEN"::equals);
        double before = deliveries();
        Thread.sleep(4000); // most of the open period
        double during = deliveries() - before;
        assertThat(during).as("delivery attempts of 3 pending rows in 4 s of open breaker (was about 12)")
                .isLessThanOrEqualTo(3);
        Answer pending = stack.gw().admin("GET", "/api/usage_event/?status=pending", null);
        assertThat(pending.data().path("total").asLong()).isEqualTo(3);

        stack.credits.restart();
        stack.awaitDrained();
        stack.awaitBalance(key, "96");
        assertThat(stack.credits.charges(key.userId())).hasSize(4);
    }

    private double deliveries() {
        MeterRegistry registry = stack.gw().context().getBean(MeterRegistry.class);
        return registry.find("creditgate.usage.outbox.deliveries").counters().stream().mapToDouble(Counter::count).sum();
    }
}
