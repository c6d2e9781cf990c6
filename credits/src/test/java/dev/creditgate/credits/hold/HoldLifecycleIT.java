package dev.creditgate.credits.hold;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.testkit.MutableClock;
import dev.creditgate.credits.TestDatabases;

/** Capture below/above the hold (debt), release, expiry with a moved clock, and the exact conflicting outcomes. */
class HoldLifecycleIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void lifecycle(String vendor) {
        TestDatabases.Db db = TestDatabases.of(vendor);
        MutableClock clock = new MutableClock(java.time.Instant.now());
        try (CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h"))) {
            String[] ids = app.userWithKey("10", 5);
            String key = ids[1];

            // grant, and replay of the same requestId
            JsonNode a = hold(app, key, "A", "0.05", 300, 201);
            assertThat(a.propertyNames()).containsExactly("success", "holdId", "status", "amount", "available", "expiresAt");
            assertThat(a.get("amount").decimalValue()).isEqualByComparingTo("5");
            assertThat(a.get("available").decimalValue()).isEqualByComparingTo("5");
            assertThat(hold(app, key, "A", "0.05", 300, 200).get("holdId").asString()).isEqualTo(a.get("holdId").asString());
            String holdA = a.get("holdId").asString();

            // capture below the hold; repeat = same outcome; other eventId = ALREADY_CAPTURED; release after = ALREADY_CAPTURED
            JsonNode capA = capture(app, holdA, "0.03", "evt-A", 200);
            assertThat(capA.get("outcome").asString()).isEqualTo("CAPTURED");
            assertThat(capA.get("captured").decimalValue()).isEqualByComparingTo("3");
            assertThat(capA.get("available").decimalValue()).isEqualByComparingTo("7");
            assertThat(capture(app, holdA, "0.03", "evt-A", 200).get("outcome").asString()).isEqualTo("CAPTURED");
            JsonNode twice = capture(app, holdA, "0.03", "evt-A2", 409);
            assertThat(twice.get("outcome").asString()).isEqualTo("ALREADY_CAPTURED");
            assertThat(twice.get("code").asString()).isEqualTo("already_captured");
            assertThat(release(app, holdA, 409).get("outcome").asString()).isEqualTo("ALREADY_CAPTURED");
            assertThat(available(app, key)).isEqualTo("7");

            // release; release again; capture after release
            String holdB = hold(app, key, "B", "0.02", 300, 201).get("holdId").asString();
            assertThat(available(app, key)).isEqualTo("5");
            assertThat(release(app, holdB, 200).get("outcome").asString()).isEqualTo("RELEASED");
            assertThat(release(app, holdB, 200).get("outcome").asString()).isEqualTo("RELEASED");
            JsonNode capB = capture(app, holdB, "0.02", "evt-B", 409);
            assertThat(capB.get("outcome").asString()).isEqualTo("RELEASED");
            assertThat(capB.get("code").asString()).isEqualTo("hold_released");
            assertThat(available(app, key)).isEqualTo("7");

            // capture above the hold: debt, and new holds are refused until it is repaid
            String holdC = hold(app, key, "C", "0.05", 300, 201).get("holdId").asString();
            JsonNode capC = capture(app, holdC, "0.10", "evt-C", 200);
            assertThat(capC.get("outcome").asString()).isEqualTo("CAPTURED");
            assertThat(capC.get("debt").decimalValue()).isEqualByComparingTo("3");
            assertThat(capC.get("available").decimalValue()).isEqualByComparingTo("-3");
            JsonNode refused = hold(app, key, "D", "0.001", 300, 402);
            assertThat(refused.get("code").asString()).isEqualTo("insufficient_credit");
            assertThat(refused.get("available").decimalValue()).isEqualByComparingTo("-3");
            hold(app, key, "D0", "0", 300, 402);
            JsonNode user = app.admin("GET", "/api/users/" + ids[0], null).json().get("data");
            assertThat(user.get("debt").decimalValue()).isEqualByComparingTo("3");
            assertThat(app.admin("POST", "/api/users/" + ids[0] + "/credits",
                    "{\"amount\":13,\"type\":\"RECHARGE\",\"ref\":\"repay\"}").status()).isEqualTo(201);
            assertThat(available(app, key)).isEqualTo("10");

            // expiry: an expired hold stops counting at once, before any sweep
            String holdE = hold(app, key, "E", "0.04", 60, 201).get("holdId").asString();
            assertThat(available(app, key)).isEqualTo("6");
            clock.advance(Duration.ofSeconds(61));
            assertThat(available(app, key)).isEqualTo("10");
            assertThat(status(app, holdE)).isEqualTo("PENDING");
            // a hold needing all 10 credits is granted: the refusal path finalises the expired hold first
            String holdF = hold(app, key, "F", "0.1", 300, 201).get("holdId").asString();
            assertThat(status(app, holdE)).isEqualTo("EXPIRED");
            assertThat(release(app, holdF, 200).get("outcome").asString()).isEqualTo("RELEASED");

            // the sweeper makes expired holds final; release after expiry = EXPIRED; a late capture is still charged
            String holdG = hold(app, key, "G", "0.01", 60, 201).get("holdId").asString();
            clock.advance(Duration.ofSeconds(61));
            assertThat(app.context.getBean(HoldSweeper.class).sweep()).isEqualTo(1);
            assertThat(status(app, holdG)).isEqualTo("EXPIRED");
            assertThat(release(app, holdG, 200).get("outcome").asString()).isEqualTo("EXPIRED");
            JsonNode late = capture(app, holdG, "0.01", "evt-G", 200);
            assertThat(late.get("outcome").asString()).isEqualTo("CAPTURED_AFTER_EXPIRY");
            assertThat(late.get("available").decimalValue()).isEqualByComparingTo("9");
            assertThat(capture(app, holdG, "0.01", "evt-G", 200).get("outcome").asString()).isEqualTo("CAPTURED_AFTER_EXPIRY");
            assertThat(available(app, key)).isEqualTo("9");

            // unknown hold, and the ledger still adds up
            app.service("POST", "/api/credits/holds/00000000-0000-0000-0000-000000000000/capture", "{\"costUsd\":1}");
            assertThat(app.service("POST", "/api/credits/holds/00000000-0000-0000-0000-000000000000/release", null).status())
                    .isEqualTo(404);
            assertThat(app.jdbc().sql("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u")
                    .param("u", ids[0]).query(Long.class).single()).isEqualTo(9_000_000L);
        } finally {
            TestDatabases.drop(db);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void lateCaptureRefusedWhenConfigured(String vendor) {
        if (!vendor.equals("h2")) {
            return; // configuration logic, not database logic: one database is enough
        }
        MutableClock clock = new MutableClock(java.time.Instant.now());
        try (CreditsApp app = CreditsApp.start(TestDatabases.h2(), clock,
                Map.of("credits.holds.sweep-interval", "1h", "credits.holds.honour-late-capture", "false"))) {
            String key = app.userWithKey("10", 6)[1];
            String h = hold(app, key, "X", "0.01", 10, 201).get("holdId").asString();
            clock.advance(Duration.ofSeconds(11));
            JsonNode r = capture(app, h, "0.01", "evt-X", 409);
            assertThat(r.get("outcome").asString()).isEqualTo("EXPIRED");
            assertThat(r.get("code").asString()).isEqualTo("hold_expired");
            assertThat(available(app, key)).isEqualTo("10");
        }
    }

    static JsonNode hold(CreditsApp app, String key, String requestId, String usd, int ttl, int expect) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + key + "\",\"requestId\":\""
                + requestId + "\",\"amountUsd\":\"" + usd + "\",\"ttlSeconds\":" + ttl + ",\"model\":\"gpt\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    static JsonNode capture(CreditsApp app, String hold, String usd, String eventId, int expect) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds/" + hold + "/capture", "{\"costUsd\":" + usd
                + ",\"eventId\":\"" + eventId + "\",\"usage\":{\"model\":\"gpt\",\"promptTokens\":10,\"completionTokens\":5,\"totalTokens\":15}}");
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    static JsonNode release(CreditsApp app, String hold, int expect) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds/" + hold + "/release", null);
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    static String available(CreditsApp app, String key) {
        return app.service("GET", "/api/credits/balance/" + key, null).json().get("credit").decimalValue().toPlainString();
    }

    static String status(CreditsApp app, String hold) {
        return app.jdbc().sql("SELECT status FROM holds WHERE id = :id").param("id", hold).query(String.class).single();
    }
}
