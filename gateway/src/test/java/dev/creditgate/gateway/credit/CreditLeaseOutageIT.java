package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The credit platform stops while a lease has room: the lease keeps serving (its credit is held at the platform,
 * so nothing can overdraw) until a third of its TTL before it would expire; from then on {@code letaicode_fallback}
 * applies ({@code deny}: 503). When the platform is back, the usage served on the lease is settled, each request
 * exactly once, and the lease's unused credit comes back.
 */
class CreditLeaseOutageIT {

    @Test
    void aLeaseServesThroughAShortOutageThenTheFallbackAppliesAndEveryRequestIsChargedOnce() {
        try (CreditStack stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1,
                "gateway.credit.breaker-failures=2", "gateway.credit.breaker-open-wait=1s",
                "gateway.credit.lease-ttl=6s", "gateway.credit.lease-idle=1s",
                "gateway.usage.outbox.max-attempts=1000")) {
            stack.option("letaicode_credit_mode", "reserve");
            stack.option("letaicode_lease", "on");
            stack.option("letaicode_fallback", "deny");
            CreditsServer.Key key = stack.credits.userWithKey("100");
            CreditStack.ok(stack.chat(key, CreditStack.FIXED_1)); // opens the lease: 16 credits
            assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isPositive();

            stack.credits.stop();
            long stopped = System.currentTimeMillis();
            for (int i = 0; i < 5; i++) {
                Answer a = stack.chat(key, CreditStack.FIXED_1);
                assertThat(a.status()).as("served on the lease during the outage: " + a.body()).isEqualTo(200);
            }
            // the lease was last refreshed before the stop: usable for at most 6 - 2 = 4 s after that
            Answer denied = CreditStack.poll(Duration.ofSeconds(10), () -> stack.chat(key, CreditStack.FIXED_1),
                    a -> a.status() != 200);
            assertThat(System.currentTimeMillis() - stopped).isLessThan(4_500);
            assertThat(denied.status()).as(denied.body()).isEqualTo(503);
            assertThat(denied.json().path("error").path("code").asString()).isEqualTo("credit_service_unavailable");
            long served = stack.gw().admin("GET", "/api/log/?type=2&page_size=100&token_id=" + key.tokenId(), null)
                    .data().path("total").asLong();

            stack.credits.restart();
            stack.awaitDrained();
            JsonNode user = CreditStack.poll(Duration.ofSeconds(20), () -> stack.credits.user(key.userId()),
                    u -> u.path("held").decimalValue().signum() == 0);
            List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
            List<JsonNode> logs = stack.consumeLogs(key.tokenId(), (int) served);
            assertThat(charges).hasSize((int) served).hasSizeGreaterThanOrEqualTo(6);
            assertThat(charges).extracting(CreditsServer.Ledger::eventId).containsExactlyInAnyOrderElementsOf(
                    logs.stream().map(l -> "cg-" + l.path("request_id").asString()).toList());
            assertThat(user.path("balance").decimalValue())
                    .isEqualByComparingTo(BigDecimal.valueOf(100 - served));
        }
    }
}
