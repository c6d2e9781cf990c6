package dev.creditgate.credits.hold;

import static dev.creditgate.credits.hold.HoldLifecycleIT.available;
import static dev.creditgate.credits.hold.HoldLifecycleIT.capture;
import static dev.creditgate.credits.hold.HoldLifecycleIT.hold;
import static dev.creditgate.credits.hold.HoldLifecycleIT.release;
import static dev.creditgate.credits.hold.HoldLifecycleIT.status;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.testkit.MutableClock;

/**
 * {@code POST /api/credits/holds/:holdId/extend}: an extended hold outlives its first TTL (still held, not swept,
 * captured in time), extension is idempotent and never shortens, a hold that expired or was finalised is refused
 * with its outcome, bad input changes nothing.
 */
class HoldExtendIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void extension(String vendor) {
        TestDatabases.Db db = TestDatabases.of(vendor);
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h"))) {
            HoldSweeper sweeper = app.context.getBean(HoldSweeper.class);
            String[] ids = app.userWithKey("10", 7);
            String key = ids[1];

            // a stream's hold: 4 credits for 60 s, renewed after 30 s for 120 s more
            String h = hold(app, key, "S", "0.04", 60, 201).get("holdId").asString();
            clock.advance(Duration.ofSeconds(30));
            JsonNode ext = extend(app, h, 120, 200);
            assertThat(ext.propertyNames()).containsExactly("success", "holdId", "outcome", "amount", "available",
                    "debt", "expiresAt");
            assertThat(ext.get("outcome").asString()).isEqualTo("EXTENDED");
            assertThat(ext.get("expiresAt").asString()).isEqualTo("2026-03-01T10:02:30.000Z");
            assertThat(ext.get("amount").decimalValue()).isEqualByComparingTo("4");
            assertThat(ext.get("available").decimalValue()).isEqualByComparingTo("6");

            // past the first TTL: still held, the sweeper leaves it, the capture is in time
            clock.advance(Duration.ofSeconds(31));
            assertThat(available(app, key)).isEqualTo("6");
            assertThat(sweeper.sweep()).isZero();
            assertThat(status(app, h)).isEqualTo("PENDING");
            assertThat(hold(app, key, "T", "0.07", 60, 402).get("available").decimalValue()).isEqualByComparingTo("6");
            JsonNode cap = capture(app, h, "0.035", "evt-S", 200);
            assertThat(cap.get("outcome").asString()).isEqualTo("CAPTURED");
            assertThat(cap.get("available").decimalValue()).isEqualByComparingTo("6.5");
            assertThat(cap.has("expiresAt")).isFalse();

            // idempotent: the same extension again is answered the same; a shorter one does not shorten it
            String i = hold(app, key, "I", "0.01", 60, 201).get("holdId").asString();
            String first = extend(app, i, 300, 200).get("expiresAt").asString();
            assertThat(extend(app, i, 300, 200).get("expiresAt").asString()).isEqualTo(first);
            assertThat(extend(app, i, 10, 200).get("expiresAt").asString()).isEqualTo(first);
            assertThat(expiresAtMs(app, i)).isEqualTo(Instant.parse(first).toEpochMilli());
            clock.advance(Duration.ofSeconds(100));
            assertThat(Instant.parse(extend(app, i, 300, 200).get("expiresAt").asString()))
                    .isEqualTo(Instant.parse(first).plusSeconds(100));
            assertThat(available(app, key)).isEqualTo("5.5");

            // a hold whose TTL passed is not revived, swept or not: 409 EXPIRED, and it stays expired
            String e = hold(app, key, "E", "0.02", 10, 201).get("holdId").asString();
            assertThat(available(app, key)).isEqualTo("3.5");
            clock.advance(Duration.ofSeconds(11));
            JsonNode refused = extend(app, e, 300, 409);
            assertThat(refused.get("success").booleanValue()).isFalse();
            assertThat(refused.get("outcome").asString()).isEqualTo("EXPIRED");
            assertThat(refused.get("code").asString()).isEqualTo("hold_expired");
            assertThat(refused.has("expiresAt")).isFalse();
            assertThat(status(app, e)).isEqualTo("EXPIRED");
            assertThat(available(app, key)).isEqualTo("5.5");
            String swept = hold(app, key, "W", "0.01", 10, 201).get("holdId").asString();
            clock.advance(Duration.ofSeconds(11));
            assertThat(sweeper.sweep()).isEqualTo(1);
            assertThat(extend(app, swept, 300, 409).get("outcome").asString()).isEqualTo("EXPIRED");
            assertThat(extend(app, e, 300, 409).get("outcome").asString()).isEqualTo("EXPIRED");

            // captured and released holds answer their outcome, as capture and release do
            JsonNode captured = extend(app, h, 60, 409);
            assertThat(captured.get("outcome").asString()).isEqualTo("ALREADY_CAPTURED");
            assertThat(captured.get("code").asString()).isEqualTo("already_captured");
            assertThat(release(app, i, 200).get("outcome").asString()).isEqualTo("RELEASED");
            JsonNode released = extend(app, i, 60, 409);
            assertThat(released.get("outcome").asString()).isEqualTo("RELEASED");
            assertThat(released.get("code").asString()).isEqualTo("hold_released");
            assertThat(status(app, i)).isEqualTo("RELEASED");

            // the ledger and the held column agree with all of it
            assertThat(app.jdbc().sql("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u")
                    .param("u", ids[0]).query(Long.class).single()).isEqualTo(6_500_000L);
            assertThat(app.jdbc().sql("SELECT held FROM users WHERE id = :u").param("u", ids[0]).query(Long.class)
                    .single()).isZero();
        } finally {
            TestDatabases.drop(db);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void badInputChangesNothing(String vendor) {
        if (!vendor.equals("h2")) {
            return; // request validation, not database logic: one database is enough
        }
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (CreditsApp app = CreditsApp.start(TestDatabases.h2(), clock, Map.of("credits.holds.sweep-interval", "1h"))) {
            String key = app.userWithKey("10", 8)[1];
            String h = hold(app, key, "B", "0.01", 60, 201).get("holdId").asString();
            long before = expiresAtMs(app, h);
            String path = "/api/credits/holds/" + h + "/extend";

            for (String body : new String[] {null, "", "{", "[]", "{}", "{\"ttlSeconds\":null}", "{\"ttlSeconds\":0}",
                    "{\"ttlSeconds\":-5}", "{\"ttlSeconds\":86401}", "{\"ttlSeconds\":\"60\"}", "{\"ttlSeconds\":1.5}",
                    "{\"ttlSeconds\":60,\"ttlSeconds\":90}"}) {
                CreditsApp.Answer r = app.service("POST", path, body);
                assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(400);
                assertThat(r.json().get("success").booleanValue()).isFalse();
            }
            assertThat(app.service("POST", path, "{\"ttlSeconds\":86401}").json().get("message").asString())
                    .contains("ttlSeconds").contains("86400");
            assertThat(app.service("POST", "/api/credits/holds/00000000-0000-0000-0000-000000000000/extend",
                    "{\"ttlSeconds\":60}").status()).isEqualTo(404);
            assertThat(app.service("POST", "/api/credits/holds/not-a-uuid/extend", "{\"ttlSeconds\":60}").status())
                    .isEqualTo(404);
            // scope holds:write: the balance-only token may not, no token is 401
            assertThat(app.call("POST", path, "{\"ttlSeconds\":60}", Map.of("X-API-Key", CreditsApp.BALANCE_ONLY))
                    .status()).isEqualTo(403);
            assertThat(app.call("POST", path, "{\"ttlSeconds\":60}", Map.of()).status()).isEqualTo(401);
            assertThat(expiresAtMs(app, h)).isEqualTo(before);
            assertThat(status(app, h)).isEqualTo("PENDING");

            // the largest TTL is accepted
            assertThat(Instant.parse(extend(app, h, 86_400, 200).get("expiresAt").asString()))
                    .isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
        }
    }

    static JsonNode extend(CreditsApp app, String hold, long ttl, int expect) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds/" + hold + "/extend", "{\"ttlSeconds\":" + ttl + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    static long expiresAtMs(CreditsApp app, String hold) {
        return app.jdbc().sql("SELECT expires_at_ms FROM holds WHERE id = :id").param("id", hold).query(Long.class).single();
    }
}
