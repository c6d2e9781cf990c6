package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The platform's {@code credits.holds.max-open-per-key}: a request whose hold the platform refuses with 429
 * {@code too_many_open_holds} is answered 429 {@code rate_limit_exceeded} by the gateway, with no fallback (the
 * platform answered) and no upstream call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditHoldLimitIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        System.setProperty("credits.holds.max-open-per-key", "1"); // read by the in-process platform at its start
        try {
            stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1);
        } finally {
            System.clearProperty("credits.holds.max-open-per-key");
        }
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off"); // a hold per request
        stack.option("letaicode_fallback", "local");
        stack.option("ModelRatio", "{\"" + CreditStack.RATIO + "\":1}");
        stack.option("CompletionRatio", "{\"" + CreditStack.RATIO + "\":1}");
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aSecondOpenHoldOfTheKeyIsAnswered429() {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.delay(Duration.ofSeconds(3));
        CompletableFuture<RunningGateway.Answer> first = CompletableFuture.supplyAsync(
                () -> stack.chat(key, CreditStack.RATIO));
        CreditStack.poll(Duration.ofSeconds(10), () -> stack.credits.user(key.userId()).path("held").decimalValue(),
                held -> held.compareTo(BigDecimal.ZERO) > 0);
        CreditStack.poll(Duration.ofSeconds(10), stack.mock::calls, n -> n == 1); // the first is at the upstream

        RunningGateway.Answer second = stack.chat(key, CreditStack.RATIO);

        assertThat(second.status()).as(second.body()).isEqualTo(429);
        assertThat(second.json().path("error").path("code").asString()).isEqualTo("rate_limit_exceeded");
        assertThat(second.json().path("error").path("message").asString()).contains("too many open holds");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(stack.mock.calls()).isEqualTo(1); // the refused one never reached it
        assertThat(first.join().status()).isEqualTo(200);
        stack.mock.delay(Duration.ZERO);
        // once the first hold is captured (by the outbox, after the answer), the key may hold again
        CreditStack.poll(Duration.ofSeconds(20), () -> stack.credits.user(key.userId()).path("held").decimalValue(),
                held -> held.signum() == 0);
        assertThat(stack.chat(key, CreditStack.RATIO).status()).isEqualTo(200);
    }
}
