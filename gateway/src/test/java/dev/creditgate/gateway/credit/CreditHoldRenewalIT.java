package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A stream that outlives its hold's TTL keeps its hold: the gateway extends it while the request runs, so the
 * credit stays held past the original expiry (an expired hold stops counting as held at the platform) and the
 * capture charges the actual cost. Real time: the hold TTL is 3 s and the stream lasts about 6 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditHoldRenewalIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 1, "gateway.credit.hold-ttl=3s");
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off"); // the per-request hold's renewal (a lease is refreshed by itself)
        stack.option("letaicode_fallback", "deny");
        stack.option("ModelRatio", "{\"" + CreditStack.RATIO + "\":1}");
        stack.option("CompletionRatio", "{\"" + CreditStack.RATIO + "\":1}");
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @Test
    void aLongStreamKeepsItsHoldPastTheTtlAndIsCapturedOnce() {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.chunks(8).chunkDelay(Duration.ofMillis(750));
        long t0 = System.nanoTime();
        CompletableFuture<RunningGateway.Answer> stream = CompletableFuture.supplyAsync(() -> stack.gw().call("POST",
                "/v1/chat/completions", json("model", CreditStack.RATIO, "stream", true, "max_tokens", 100,
                        "messages", List.of(Map.of("role", "user", "content", "a long answer"))), key.bearer()));
        // once the original TTL (3 s) has passed, the hold still counts as held: it was extended
        BigDecimal heldAfterTtl = CreditStack.poll(Duration.ofSeconds(10), () -> {
            BigDecimal held = stack.credits.user(key.userId()).path("held").decimalValue();
            return System.nanoTime() - t0 > Duration.ofMillis(4_000).toNanos() ? held : null;
        }, h -> h != null);
        assertThat(stream).isNotDone();
        assertThat(heldAfterTtl).isGreaterThan(BigDecimal.ZERO);

        RunningGateway.Answer answer = stream.join();
        assertThat(answer.status()).isEqualTo(200);
        stack.awaitDrained();
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).hasSize(1);
        assertThat(BigDecimal.valueOf(-charges.getFirst().amountMicros(), 6))
                .isEqualByComparingTo(CreditStack.credits(stack.consumeLogs(key.tokenId(), 1)));
        double renewed = stack.gw().context().getBean(MeterRegistry.class).get("creditgate.credit.holds.renewed")
                .counter().count();
        assertThat(renewed).isGreaterThanOrEqualTo(1.0);
        stack.mock.chunkDelay(Duration.ZERO);
    }
}
