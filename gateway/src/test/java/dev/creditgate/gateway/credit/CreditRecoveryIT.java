package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.gateway.usage.outbox.OutboxDeliverer;
import dev.creditgate.gateway.usage.outbox.OutboxKind;
import dev.creditgate.gateway.usage.outbox.UsageOutbox;
import dev.creditgate.gateway.usage.outbox.UsagePayload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Crashes and failures around the outbox: intent rows left by "crashed" requests (written exactly as the admission
 * writes them, the hold really granted) are charged once by recovery; a webhook the platform refuses ends FAILED,
 * shows up in {@code GET /api/usage_event/?status=failed} and is charged once after a replay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditRecoveryIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1,
                "gateway.usage.outbox.intent-timeout=1s",
                "gateway.usage.outbox.max-attempts=2");
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    private <T> T bean(Class<T> type) {
        return stack.gw().context().getBean(type);
    }

    @Test
    void intentsOfCrashedRequestsAreChargedOnceAtTheirEstimate() {
        CreditsServer.Key key = stack.credits.userWithKey("100");
        CreditPlatformClient client = bean(CreditPlatformClient.class);
        UsageOutbox outbox = bean(UsageOutbox.class);
        long now = System.currentTimeMillis();
        // reserve mode: the hold was granted, the intent written, then the gateway died before settling
        HoldResult hold = client.createHold(key.id(), "crash-reserve", new BigDecimal("0.5"), 600, "fixed-50");
        assertThat(hold).isInstanceOf(HoldResult.Granted.class);
        outbox.recordIntent("cg-crash-reserve", OutboxKind.CAPTURE, key.tokenId(), key.id(),
                ((HoldResult.Granted) hold).holdId(), new UsagePayload("fixed-50", 12, 0, new BigDecimal("0.5"), now, true));
        // check mode (or a fallback): no hold, the intent is a webhook
        outbox.recordIntent("cg-crash-check", OutboxKind.WEBHOOK, key.tokenId(), key.id(), null,
                new UsagePayload("fixed-10", 12, 0, new BigDecimal("0.1"), now, true));
        assertThat(stack.credits.user(key.userId()).path("available").decimalValue()).isEqualByComparingTo("50");

        // recovery (intent timeout 1 s) charges both estimates: 100 - 50 - 10
        stack.awaitBalance(key, "40");
        stack.awaitDrained();
        assertThat(stack.credits.charges(key.userId())).extracting(CreditsServer.Ledger::eventId)
                .containsExactlyInAnyOrder("cg-crash-reserve", "cg-crash-check");
        // a late settlement of a recovered intent does not charge again
        assertThat(outbox.settle("cg-crash-reserve", OutboxKind.CAPTURE,
                new UsagePayload("fixed-50", 12, 3, new BigDecimal("0.5"), now, false))).isFalse();
        OutboxDeliverer deliverer = bean(OutboxDeliverer.class);
        deliverer.housekeeping(System.currentTimeMillis());
        deliverer.runOnce();
        assertThat(stack.credits.charges(key.userId())).hasSize(2);
        assertThat(stack.credits.balance(key.userId())).isEqualByComparingTo("40");
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void aRefusedWebhookFailsAndIsChargedOnceAfterReplay() {
        CreditsServer.Key key = stack.credits.userWithKey("100");
        UsageOutbox outbox = bean(UsageOutbox.class);
        stack.option("letaicode_webhook_secret", "a-wrong-secret-0123456789-0123456789-xyz");
        long now = System.currentTimeMillis();
        outbox.recordIntent("cg-replay-1", OutboxKind.WEBHOOK, key.tokenId(), key.id(), null,
                new UsagePayload("fixed-10", 5, 0, new BigDecimal("0.1"), now, true));
        assertThat(outbox.settle("cg-replay-1", OutboxKind.WEBHOOK,
                new UsagePayload("fixed-10", 5, 7, new BigDecimal("0.1"), now, false))).isTrue();
        Answer failed = RunningGateway.await(Duration.ofSeconds(20),
                () -> stack.gw().admin("GET", "/api/usage_event/?status=failed", null),
                a -> a.data().path("total").asLong() >= 1);
        var row = failed.data().path("items").get(0);
        assertThat(row.path("event_id").asString()).isEqualTo("cg-replay-1");
        assertThat(row.path("attempts").asInt()).isEqualTo(2);
        assertThat(row.path("last_error").asString()).contains("401");
        assertThat(stack.credits.charges(key.userId())).isEmpty();

        stack.option("letaicode_webhook_secret", CreditsServer.SECRET);
        Answer replay = stack.gw().admin("POST", "/api/usage_event/" + row.path("id").asLong() + "/replay", null);
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        stack.awaitBalance(key, "90");
        stack.awaitDrained();
        assertThat(stack.credits.charges(key.userId())).hasSize(1);
        // replaying a delivered event is refused (409); unknown ids are 404
        assertThat(stack.gw().admin("POST", "/api/usage_event/" + row.path("id").asLong() + "/replay", null).status())
                .isEqualTo(409);
        assertThat(stack.gw().admin("POST", "/api/usage_event/999999/replay", null).status()).isEqualTo(404);
        assertThat(stack.gw().admin("GET", "/api/usage_event/?status=bogus", null).status()).isEqualTo(400);
    }
}
