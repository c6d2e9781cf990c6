package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code check} mode with the usage webhook's receiver down for a while (a second platform instance on the same
 * database, stopped, is the {@code letaicode_webhook_url}; the balance checks still answer): requests are served,
 * their webhooks wait in the outbox and nothing is charged; once the receiver is back on its port, every event
 * arrives exactly once (ledger = log). {@link CreditOutageIT} has the
 * whole platform down in {@code reserve} mode.
 */
class WebhookReceiverDownIT {

    @Test
    void eventsQueueWhileTheReceiverIsDownAndArriveExactlyOnceAfter() {
        TestDatabases.Db creditsDb = TestDatabases.h2();
        try (CreditStack stack = CreditStack.start(TestDatabases.h2(), creditsDb, 1,
                "gateway.usage.outbox.max-attempts=1000")) {
            CreditsServer receiver = CreditsServer.start(creditsDb, stack.gw().baseUrl());
            try {
                stack.option("letaicode_credit_mode", "check");
                stack.option("letaicode_webhook_url", receiver.url() + "/api/webhooks/usage");
                CreditsServer.Key key = stack.credits.userWithKey("100");
                receiver.stop();

                int served = 8;
                for (int i = 0; i < served; i++) {
                    Answer a = stack.chat(key, CreditStack.FIXED_1);
                    assertThat(a.status()).as(a.body()).isEqualTo(200);
                }
                // queued, tried, not delivered: nothing charged while the receiver is down (a row is pending as soon
                // as its request is settled, and tried at the outbox's next poll: wait for both)
                JsonNode pending = CreditStack.poll(java.time.Duration.ofSeconds(10),
                        () -> stack.gw().admin("GET", "/api/usage_event/?status=pending", null).data(),
                        d -> d.path("total").asLong() == served && d.path("items").valueStream()
                                .allMatch(e -> e.path("attempts").asLong() >= 1));
                pending.path("items").forEach(e -> {
                    assertThat(e.path("kind").asString()).isEqualTo("WEBHOOK");
                    assertThat(e.path("attempts").asLong()).isGreaterThanOrEqualTo(1);
                });
                assertThat(stack.credits.charges(key.userId())).isEmpty();
                assertThat(stack.credits.balance(key.userId())).isEqualByComparingTo("100");

                receiver.restart(); // same port, same database
                stack.awaitDrained();
                stack.awaitBalance(key, "92");
                List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
                List<JsonNode> logs = stack.consumeLogs(key.tokenId(), served);
                assertThat(charges).hasSize(served);
                assertThat(logs).hasSize(served);
                assertThat(charges).extracting(CreditsServer.Ledger::eventId).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(logs.stream().map(l -> "cg-" + l.path("request_id").asString()).toList());
                assertThat(CreditStack.credits(logs)).isEqualByComparingTo(
                        BigDecimal.valueOf(-charges.stream().mapToLong(CreditsServer.Ledger::amountMicros).sum(), 6));

                // each event delivered once, after at least one failed attempt while the receiver was down
                JsonNode delivered = stack.gw().admin("GET", "/api/usage_event/?status=delivered&page_size=100", null).data();
                assertThat(delivered.path("total").asLong()).isEqualTo(served);
                for (JsonNode e : delivered.path("items")) {
                    assertThat(e.path("attempts").asLong()).as(e.toString()).isGreaterThanOrEqualTo(2);
                }
                assertThat(stack.credits.charges(key.userId())).hasSize(served);
            } finally {
                receiver.close();
            }
        }
    }
}
