package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The credit platform stops mid-run (its context is closed): {@code deny} answers 503 within the deadline, then at
 * once while the breaker is open (no call leaves the gateway); {@code local} keeps serving from the last known
 * balance; after a restart (same database, same port) the outbox drains and every served request is charged
 * exactly once (ledger = log).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditOutageIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1,
                "gateway.credit.breaker-failures=2",
                "gateway.credit.breaker-open-wait=60s",
                "gateway.usage.outbox.max-attempts=1000");
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off"); // a hold per request; CreditLeaseOutageIT has the lease's outage
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @Test
    void outageDenyThenLocalThenRecovery() {
        stack.option("letaicode_fallback", "deny");
        CreditsServer.Key key = stack.credits.userWithKey("100");
        assertThat(stack.chat(key, CreditStack.FIXED_1).status()).isEqualTo(200); // caches the balance
        stack.awaitBalance(key, "99");
        stack.awaitDrained();
        long upstream = stack.mock.calls();

        stack.credits.stop();
        // deny: 503 within the deadline (1000 ms), the failure named; twice opens the breaker (threshold 2)
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            Answer a = stack.chat(key, CreditStack.FIXED_1);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(a.status()).as(a.body()).isEqualTo(503);
            assertThat(a.json().path("error").path("code").asString()).isEqualTo("credit_service_unavailable");
            assertThat(a.json().path("error").path("message").asString()).startsWith("credit platform")
                    .as("names no internal host (security review finding 15)").doesNotContain("127.0.0.1");
            assertThat(ms).isLessThan(1_000 + 500);
        }
        // breaker open: answered at once, naming the breaker state, without any call to the platform
        CreditPlatformClient client = stack.gw().context().getBean(CreditPlatformClient.class);
        assertThat(client.breakerState().name()).isEqualTo("OPEN");
        long t0 = System.nanoTime();
        Answer open = stack.chat(key, CreditStack.FIXED_1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(open.status()).isEqualTo(503);
        assertThat(open.json().path("error").path("message").asString()).contains("breaker open");
        assertThat(ms).isLessThan(300);
        assertThat(stack.mock.calls()).isEqualTo(upstream);

        // local: served from the last known balance (99 credits), minus what fallbacks already spent on it
        stack.option("letaicode_fallback", "local");
        for (int i = 0; i < 5; i++) {
            Answer a = stack.chat(key, CreditStack.FIXED_1);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
        }
        assertThat(stack.mock.calls()).isEqualTo(upstream + 5);
        // the outage's usage waits in the outbox as webhooks
        Answer pending = stack.gw().admin("GET", "/api/usage_event/?status=pending", null);
        assertThat(pending.data().path("total").asLong()).isEqualTo(5);
        pending.data().path("items").forEach(e -> assertThat(e.path("kind").asString()).isEqualTo("WEBHOOK"));

        // the platform comes back on the same port and database: the outbox drains, each request charged once
        stack.credits.restart();
        stack.awaitDrained();
        stack.awaitBalance(key, "94");
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).hasSize(6);
        List<JsonNode> logs = stack.consumeLogs(key.tokenId(), 6);
        assertThat(logs).hasSize(6);
        assertThat(charges).extracting(CreditsServer.Ledger::eventId).containsExactlyInAnyOrderElementsOf(
                logs.stream().map(l -> "cg-" + l.path("request_id").asString()).toList());
        assertThat(CreditStack.credits(logs)).isEqualByComparingTo(
                BigDecimal.valueOf(-charges.stream().mapToLong(CreditsServer.Ledger::amountMicros).sum(), 6));
        // delivering again changes nothing (idempotent by event id)
        stack.gw().admin("GET", "/api/usage_event/?status=delivered&page_size=100", null).data().path("items")
                .forEach(e -> assertThat(e.path("status").asString()).isEqualTo("delivered"));
        assertThat(stack.credits.charges(key.userId())).hasSize(6);
    }
}
