package dev.creditgate.credits.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.creditgate.contract.WebhookSignature;
import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.testkit.MutableClock;

/**
 * Retention of finished holds and the webhook log (time moved by a {@link MutableClock}), and rejected webhook
 * deliveries counted but stored only as a truncated sample.
 */
class CreditsRetentionIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    static String hold(CreditsApp app, String key, String requestId, int ttl) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + key + "\",\"requestId\":\""
                + requestId + "\",\"amountUsd\":\"0.01\",\"ttlSeconds\":" + ttl + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("holdId").asString();
    }

    static void release(CreditsApp app, String hold) {
        assertThat(app.service("POST", "/api/credits/holds/" + hold + "/release", null).status()).isEqualTo(200);
    }

    static long count(CreditsApp app, String sql) {
        return app.jdbc().sql(sql).query(Long.class).single();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void finishedHoldsAndOldWebhookLogRowsGoPendingHoldsAndTheLedgerStay(String vendor) {
        TestDatabases.Db db = TestDatabases.of(vendor);
        MutableClock clock = new MutableClock(java.time.Instant.now());
        try (CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h",
                "credits.retention.initial-delay", "1h", "credits.retention.batch-size", "2"))) {
            String[] ids = app.userWithKey("100", 5);
            String key = ids[1];
            for (String r : new String[] {"a", "b", "c", "d", "e"}) {
                release(app, hold(app, key, r, 60));
            }
            String captured = hold(app, key, "f", 60);
            assertThat(app.service("POST", "/api/credits/holds/" + captured + "/capture", "{\"costUsd\":0.01,"
                    + "\"eventId\":\"ev-f\"}").status()).isEqualTo(200);
            byte[] forged = "{\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
            app.call("POST", "/api/webhooks/usage", forged, Map.of(WebhookSignature.HEADER_V1, "00"));
            clock.advance(Duration.ofDays(29));
            hold(app, key, "pending", 86_400); // open: never deleted
            Retention retention = app.context.getBean(Retention.class);
            assertThat(retention.run()).isEqualTo(Map.of("holds", 0L, "webhook_log", 0L));

            clock.advance(Duration.ofDays(2));
            assertThat(retention.run()).isEqualTo(Map.of("holds", 6L, "webhook_log", 1L));
            assertThat(count(app, "SELECT COUNT(*) FROM holds")).isEqualTo(1);
            assertThat(count(app, "SELECT COUNT(*) FROM holds WHERE status = 'PENDING'")).isEqualTo(1);
            // the money stays: the capture's ledger entry and the balance
            assertThat(count(app, "SELECT COUNT(*) FROM ledger_entries WHERE hold_id = '" + captured + "'")).isEqualTo(1);
            assertThat(count(app, "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = '" + ids[0]
                    + "'")).isEqualTo(99_000_000L);
            assertThat(retention.run()).isEqualTo(Map.of("holds", 0L, "webhook_log", 0L));
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void rejectedWebhooksAreCountedButOnlyASampleIsStored() {
        TestDatabases.Db db = TestDatabases.of("h2");
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-06-01T10:00:00Z"));
        try (CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.webhook.rejected-samples-per-minute", "3",
                "credits.webhook.rejected-body-chars", "50"))) {
            byte[] big = ("{\"eventId\":\"forged\",\"pad\":\"" + "x".repeat(20_000) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 10; i++) {
                assertThat(app.call("POST", "/api/webhooks/usage", big, Map.of(WebhookSignature.HEADER_V1, "00"))
                        .status()).isEqualTo(401);
            }
            assertThat(count(app, "SELECT COUNT(*) FROM webhook_log")).isEqualTo(3);
            assertThat(count(app, "SELECT MAX(LENGTH(body)) FROM webhook_log")).isEqualTo(50);
            String prom = app.call("GET", "/actuator/prometheus", (String) null, Map.of()).body();
            assertThat(prom).contains("credits_webhooks_total{outcome=\"bad_signature\"} 10.0");
            assertThat(prom).contains("credits_webhooks_unlogged_total{outcome=\"bad_signature\"} 7.0");
            // the next minute stores samples again
            clock.advance(Duration.ofMinutes(1));
            app.call("POST", "/api/webhooks/usage", big, Map.of(WebhookSignature.HEADER_V1, "00"));
            assertThat(count(app, "SELECT COUNT(*) FROM webhook_log")).isEqualTo(4);
        } finally {
            TestDatabases.drop(db);
        }
    }
}
