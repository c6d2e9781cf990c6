package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import tools.jackson.databind.JsonNode;

/**
 * A small balance is not stranded in another instance's lease (issue 10): two gateway instances, the real credit
 * platform, PostgreSQL. Instance A leases half of a 16-credit user's credit; instance B's request for 10 credits
 * finds only 8 free and is refused, which makes the platform recall the leases; A's next refresh gives back what it
 * does not use, and B's next request, well before A's lease would go idle (10 s), is served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditLeaseStrandedIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 2); // lease-idle: 10 s
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "on");
        stack.option("letaicode_fallback", "deny");
        stack.option("letaicode_timeout_ms", "5000");
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @Test
    void aRefusedRequestGetsTheCreditBackFromTheOtherInstancesLeaseWithinOneRefresh() throws Exception {
        CreditsServer.Key key = stack.credits.userWithKey("16");
        var a = stack.gateways.get(0);
        var b = stack.gateways.get(1);
        CreditStack.ok(stack.chat(a, key, CreditStack.FIXED_1)); // A opens a lease: half the free credit, 8
        JsonNode leased = stack.credits.user(key.userId());
        assertThat(leased.path("held").decimalValue()).as("A's lease holds credit").isGreaterThanOrEqualTo(new BigDecimal("7"));
        assertThat(leased.path("available").decimalValue()).isLessThan(BigDecimal.TEN);

        Answer refused = stack.chat(b, key, CreditStack.FIXED_10); // 10 credits: too big for a lease, a hold is refused
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("insufficient_user_quota");

        long t0 = System.nanoTime();
        Answer served = CreditStack.poll(java.time.Duration.ofSeconds(5), () -> stack.chat(b, key, CreditStack.FIXED_10),
                r -> r.status() == 200);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        assertThat(ms).as("ms until B was served (A's lease refreshes every 500 ms; it would go idle after 10 s)")
                .isLessThan(2_000);
        stack.awaitDrained();
        assertThat(stack.awaitBalance(key, "5")).as("16 - 1 - 10, each charged once").isEqualByComparingTo("5");
    }
}
