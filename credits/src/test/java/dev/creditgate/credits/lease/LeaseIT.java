package dev.creditgate.credits.lease;

import static dev.creditgate.credits.lease.Leases.available;
import static dev.creditgate.credits.lease.Leases.dec;
import static dev.creditgate.credits.lease.Leases.event;
import static dev.creditgate.credits.lease.Leases.ledgerSum;
import static dev.creditgate.credits.lease.Leases.open;
import static dev.creditgate.credits.lease.Leases.outcomes;
import static dev.creditgate.credits.lease.Leases.refresh;
import static dev.creditgate.credits.lease.Leases.release;
import static dev.creditgate.credits.lease.Leases.settle;
import static dev.creditgate.credits.lease.Leases.status;
import static dev.creditgate.credits.lease.Leases.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.hold.Sweeps;

/**
 * The lease API (SPEC 4.4) on each database: open / refresh / settle / release with the exact sizes, ledger entries
 * per event and balance / held / available to the micro-credit; one charge per eventId across settlements, captures
 * and webhooks; expiry (at once, then by the sweeper, and on the hold path); settlement after release and expiry.
 */
class LeaseIT {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void roundTrip(String vendor) throws Exception {
        Leases.onDatabase(vendor, T0, (app, clock) -> {
            String[] ids = app.userWithKey("100", 21);
            String userId = ids[0];
            String key = ids[1];

            // open: at most half of the available credit (100 credits; 1 USD = 100 credits)
            JsonNode a = open(app, key, "gw-1", "0.3", 30, 201);
            assertThat(a.propertyNames()).containsExactly("success", "leaseId", "userId", "status", "amount", "spent",
                    "available", "creditsPerUsd", "expiresAt", "recalled");
            String l1 = a.get("leaseId").asString();
            assertThat(a.get("userId").asString()).isEqualTo(userId);
            assertThat(a.get("status").asString()).isEqualTo("ACTIVE");
            assertThat(dec(a, "amount")).isEqualTo("30");
            assertThat(dec(a, "spent")).isEqualTo("0");
            assertThat(dec(a, "available")).isEqualTo("70");
            assertThat(dec(a, "creditsPerUsd")).isEqualTo("100");
            assertThat(a.get("expiresAt").asString()).isEqualTo("2026-03-01T10:00:30.000Z");
            assertThat(a.get("recalled").booleanValue()).isFalse();
            assertThat(available(app, key)).isEqualTo("70");

            // the owner opening again gets the same lease, grown by at most half of what is free, never shrunk
            JsonNode again = open(app, key, "gw-1", "0.5", 30, 200);
            assertThat(again.get("leaseId").asString()).isEqualTo(l1);
            assertThat(dec(again, "amount")).isEqualTo("50"); // 30 + min(20, 70 / 2)
            assertThat(dec(open(app, key, "gw-1", "0.1", 30, 200), "amount")).isEqualTo("50");
            // another owner: its own lease, half of the 50 still free
            JsonNode b = open(app, key, "gw-2", "1", 30, 201);
            String l2 = b.get("leaseId").asString();
            assertThat(l2).isNotEqualTo(l1);
            assertThat(dec(b, "amount")).isEqualTo("25");
            assertThat(dec(b, "available")).isEqualTo("25");
            assertThat(user(app, userId)).containsExactly(100_000_000L, 75_000_000L);

            // refresh: shrink to what is wanted but never below what is in use; grow by half of the free credit
            clock.advance(Duration.ofSeconds(10));
            CreditsApp.Answer shrunk = Leases.refresh(app, l1, "0.2", "0.3", 60, List.of(key));
            assertThat(shrunk.status()).as(shrunk.body()).isEqualTo(200);
            assertThat(shrunk.json().propertyNames()).containsExactly("success", "leaseId", "userId", "status", "amount",
                    "spent", "available", "creditsPerUsd", "expiresAt", "recalled", "disabledKeys");
            assertThat(dec(shrunk.json(), "amount")).isEqualTo("30"); // max(20, min(30 in use, 50))
            assertThat(dec(shrunk.json(), "available")).isEqualTo("45");
            assertThat(shrunk.json().get("expiresAt").asString()).isEqualTo("2026-03-01T10:01:10.000Z");
            assertThat(shrunk.json().get("disabledKeys")).isEmpty();
            JsonNode grown = refresh(app, l1, "0.8", "0", 200);
            assertThat(dec(grown, "amount")).isEqualTo("52.5"); // 30 + min(50, 45 / 2)
            assertThat(dec(grown, "available")).isEqualTo("22.5");

            // settle: one ledger entry per event, the lease pays for them (held down, available unchanged)
            String e1 = event("cg-e1", key, "0.01");
            String e2 = event("cg-e2", key, "0.02345678");
            String e3 = event("cg-e3", key, "0");
            JsonNode s1 = settle(app, l1, 200, e1, e2, e3);
            assertThat(s1.propertyNames()).containsExactly("success", "leaseId", "userId", "status", "amount", "spent",
                    "available", "creditsPerUsd", "expiresAt", "results");
            assertThat(outcomes(s1)).containsExactly("CHARGED:1", "CHARGED:2.345678", "CHARGED:0");
            assertThat(s1.get("results").get(0).get("eventId").asString()).isEqualTo("cg-e1");
            assertThat(dec(s1, "amount")).isEqualTo("49.154322");
            assertThat(dec(s1, "spent")).isEqualTo("3.345678");
            assertThat(dec(s1, "available")).isEqualTo("22.5");
            assertThat(user(app, userId)).containsExactly(96_654_322L, 74_154_322L);
            JsonNode items = app.admin("GET", "/api/users/" + userId + "/transactions?pageSize=3", null).json()
                    .get("data").get("items");
            assertThat(items).hasSize(3);
            assertThat(items.get(2).get("eventId").asString()).isEqualTo("cg-e1");
            assertThat(items.get(2).get("type").asString()).isEqualTo("LEASE_CHARGE");
            assertThat(items.get(2).get("amount").decimalValue()).isEqualByComparingTo("-1");
            assertThat(items.get(2).get("balanceAfter").decimalValue()).isEqualByComparingTo("99");
            assertThat(items.get(2).get("keyId").asString()).isEqualTo(key);
            assertThat(items.get(2).get("leaseId").asString()).isEqualTo(l1);
            assertThat(items.get(2).get("desc").asString()).isEqualTo("gpt-4o");
            assertThat(items.get(2).has("holdId")).isFalse();
            assertThat(items.get(1).get("balanceAfter").decimalValue()).isEqualByComparingTo("96.654322");
            assertThat(items.get(0).get("eventId").asString()).isEqualTo("cg-e3");
            assertThat(items.get(0).get("amount").decimalValue()).isEqualByComparingTo("0");

            // the same batch again charges nothing; a mixed batch charges only the new event
            JsonNode s2 = settle(app, l1, 200, e1, e2, e3);
            assertThat(outcomes(s2)).containsExactly("DUPLICATE_EVENT:0", "DUPLICATE_EVENT:0", "DUPLICATE_EVENT:0");
            assertThat(dec(s2, "amount")).isEqualTo("49.154322");
            assertThat(dec(s2, "spent")).isEqualTo("3.345678");
            assertThat(user(app, userId)).containsExactly(96_654_322L, 74_154_322L);
            // a cost above what is left of the lease is debited all the same: the rest comes from the free credit
            JsonNode s3 = settle(app, l1, 200, e3, event("cg-e4", key, "0.5"));
            assertThat(outcomes(s3)).containsExactly("DUPLICATE_EVENT:0", "CHARGED:50");
            assertThat(dec(s3, "amount")).isEqualTo("0");
            assertThat(dec(s3, "spent")).isEqualTo("53.345678");
            assertThat(dec(s3, "available")).isEqualTo("21.654322");
            assertThat(user(app, userId)).containsExactly(46_654_322L, 25_000_000L);
            assertThat(dec(refresh(app, l1, "0.1", "0", 200), "amount")).isEqualTo("10"); // min(10, 21.654322 / 2)

            // release: the credit comes back at once; again: the same answer
            JsonNode r2 = release(app, l2, 200);
            assertThat(r2.get("status").asString()).isEqualTo("RELEASED");
            assertThat(dec(r2, "amount")).isEqualTo("0");
            assertThat(dec(r2, "available")).isEqualTo("36.654322");
            assertThat(release(app, l2, 200).get("status").asString()).isEqualTo("RELEASED");
            JsonNode refused = refresh(app, l2, "0.1", "0", 409);
            assertThat(refused.get("success").booleanValue()).isFalse();
            assertThat(refused.get("code").asString()).isEqualTo("lease_released");
            assertThat(refused.get("status").asString()).isEqualTo("RELEASED");
            assertThat(dec(refused, "amount")).isEqualTo("0");
            // a released lease still settles (a surviving instance settles a dead one's outbox): plain debits
            JsonNode late = settle(app, l2, 200, event("cg-e5", key, "0.01"));
            assertThat(outcomes(late)).containsExactly("CHARGED:1");
            assertThat(late.get("status").asString()).isEqualTo("RELEASED");
            assertThat(dec(late, "spent")).isEqualTo("1");
            assertThat(user(app, userId)).containsExactly(45_654_322L, 10_000_000L);

            release(app, l1, 200);
            assertThat(user(app, userId)).containsExactly(45_654_322L, 0L);
            assertThat(available(app, key)).isEqualTo("45.654322");
            // the owner's next open is a new lease
            JsonNode next = open(app, key, "gw-1", "0.1", 30, 201);
            assertThat(next.get("leaseId").asString()).isNotIn(l1, l2);
            release(app, next.get("leaseId").asString(), 200);

            assertThat(ledgerSum(app, userId)).isEqualTo(45_654_322L);
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM ledger_entries WHERE type = 'LEASE_CHARGE'")
                    .query(Long.class).single()).isEqualTo(5L);
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM processed_events WHERE source = 'LEASE'")
                    .query(Long.class).single()).isEqualTo(5L);
            String prom = app.call("GET", "/actuator/prometheus", (String) null, Map.of()).body();
            assertThat(prom).contains("credits_leases_total{outcome=\"opened\"}")
                    .contains("credits_leases_total{outcome=\"reused\"}")
                    .contains("credits_lease_refreshes_total{outcome=\"lease_released\"}")
                    .contains("credits_lease_events_total{outcome=\"DUPLICATE_EVENT\"}")
                    .contains("credits_lease_releases_total{outcome=\"RELEASED\"}");
        });
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void oneChargePerEventAcrossSettlementsCapturesAndWebhooks(String vendor) throws Exception {
        Leases.onDatabase(vendor, T0, (app, clock) -> {
            String[] ids = app.userWithKey("100", 22);
            String key = ids[1];
            // a capture first, then a settlement of the same eventId
            String h1 = hold(app, key, "H1");
            assertThat(capture(app, h1, "cg-A")).isEqualTo("CAPTURED");
            String lease = open(app, key, "gw-1", "0.2", 30, 201).get("leaseId").asString();
            assertThat(outcomes(settle(app, lease, 200, event("cg-A", key, "0.01"), event("cg-B", key, "0.02"))))
                    .containsExactly("DUPLICATE_EVENT:0", "CHARGED:2");
            // a settlement first, then a capture of the same eventId: the hold is voided, nothing charged
            String h2 = hold(app, key, "H2");
            assertThat(capture(app, h2, "cg-B")).isEqualTo("DUPLICATE_EVENT");
            // a webhook first, then a settlement; a settlement first, then a webhook
            assertThat(app.usageWebhook("cg-C", clock.millis(), 22, key, "0.03").json().get("message").asString())
                    .startsWith("charged");
            assertThat(outcomes(settle(app, lease, 200, event("cg-C", key, "0.03"), event("cg-D", key, "0.04"))))
                    .containsExactly("DUPLICATE_EVENT:0", "CHARGED:4");
            assertThat(app.usageWebhook("cg-D", clock.millis(), 22, key, "0.04").json().get("message").asString())
                    .startsWith("duplicate");

            release(app, lease, 200);
            assertThat(user(app, ids[0])).containsExactly(90_000_000L, 0L); // 100 - 1 - 2 - 3 - 4
            assertThat(app.jdbc().sql("SELECT type FROM ledger_entries WHERE event_id IS NOT NULL ORDER BY event_id")
                    .query(String.class).list()).containsExactly("CAPTURE", "LEASE_CHARGE", "DEDUCT", "LEASE_CHARGE");
            assertThat(ledgerSum(app, ids[0])).isEqualTo(90_000_000L);
        });
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void expiry(String vendor) throws Exception {
        Leases.onDatabase(vendor, T0, (app, clock) -> {
            String[] ids = app.userWithKey("10", 23);
            String userId = ids[0];
            String key = ids[1];

            // a lease whose TTL passed stops counting at once, before any sweep
            String l1 = open(app, key, "gw-1", "0.04", 10, 201).get("leaseId").asString();
            assertThat(available(app, key)).isEqualTo("6");
            clock.advance(Duration.ofSeconds(11));
            assertThat(available(app, key)).isEqualTo("10");
            JsonNode view = app.admin("GET", "/api/users/" + userId, null).json().get("data");
            assertThat(view.get("held").decimalValue()).isEqualByComparingTo("0");
            assertThat(status(app, l1)).isEqualTo("ACTIVE");
            // its refresh is refused and makes it EXPIRED; it still settles, as a plain debit
            JsonNode refused = refresh(app, l1, "0.04", "0", 409);
            assertThat(refused.get("code").asString()).isEqualTo("lease_expired");
            assertThat(refused.get("status").asString()).isEqualTo("EXPIRED");
            assertThat(status(app, l1)).isEqualTo("EXPIRED");
            assertThat(user(app, userId)).containsExactly(10_000_000L, 0L);
            JsonNode late = settle(app, l1, 200, event("cg-x1", key, "0.01"));
            assertThat(outcomes(late)).containsExactly("CHARGED:1");
            assertThat(late.get("status").asString()).isEqualTo("EXPIRED");
            assertThat(user(app, userId)).containsExactly(9_000_000L, 0L);

            // the same owner opens a new lease; the sweeper makes it EXPIRED once its TTL passed
            String l2 = open(app, key, "gw-1", "0.04", 10, 201).get("leaseId").asString();
            assertThat(l2).isNotEqualTo(l1);
            assertThat(user(app, userId)).containsExactly(9_000_000L, 4_000_000L);
            clock.advance(Duration.ofSeconds(11));
            assertThat(Sweeps.sweep(app)).isEqualTo(1);
            assertThat(status(app, l2)).isEqualTo("EXPIRED");
            assertThat(user(app, userId)).containsExactly(9_000_000L, 0L);
            assertThat(release(app, l2, 200).get("status").asString()).isEqualTo("EXPIRED");

            // a hold that fits only without the expired lease: the refusal path finalises the lease and grants it
            String l3 = open(app, key, "gw-3", "0.04", 10, 201).get("leaseId").asString();
            clock.advance(Duration.ofSeconds(11));
            String h = hold(app, key, "H-all", "0.09", 201);
            assertThat(status(app, l3)).isEqualTo("EXPIRED");
            assertThat(user(app, userId)).containsExactly(9_000_000L, 9_000_000L);
            app.service("POST", "/api/credits/holds/" + h + "/release", null);

            // opening over an owner's expired lease: that one becomes EXPIRED, a new one is opened
            String l4 = open(app, key, "gw-4", "0.04", 10, 201).get("leaseId").asString();
            clock.advance(Duration.ofSeconds(11));
            String l5 = open(app, key, "gw-4", "0.04", 10, 201).get("leaseId").asString();
            assertThat(status(app, l4)).isEqualTo("EXPIRED");
            assertThat(user(app, userId)).containsExactly(9_000_000L, 4_000_000L);
            // a settlement of a lease whose TTL passed: EXPIRED first, then plain debits
            clock.advance(Duration.ofSeconds(11));
            JsonNode s = settle(app, l5, 200, event("cg-x2", key, "0.01"));
            assertThat(s.get("status").asString()).isEqualTo("EXPIRED");
            assertThat(dec(s, "available")).isEqualTo("8");
            assertThat(user(app, userId)).containsExactly(8_000_000L, 0L);
            // a release of a lease whose TTL passed answers EXPIRED
            String l6 = open(app, key, "gw-6", "0.01", 10, 201).get("leaseId").asString();
            clock.advance(Duration.ofSeconds(11));
            assertThat(release(app, l6, 200).get("status").asString()).isEqualTo("EXPIRED");
            assertThat(user(app, userId)).containsExactly(8_000_000L, 0L);

            assertThat(ledgerSum(app, userId)).isEqualTo(8_000_000L);
            assertThat(app.call("GET", "/actuator/prometheus", (String) null, Map.of()).body())
                    .contains("credits_leases_expired_total 6.0");
        });
    }

    static String hold(CreditsApp app, String key, String requestId) {
        return hold(app, key, requestId, "0.05", 201);
    }

    static String hold(CreditsApp app, String key, String requestId, String usd, int expect) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + key + "\",\"requestId\":\""
                + requestId + "\",\"amountUsd\":\"" + usd + "\",\"ttlSeconds\":300}");
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json().get("holdId").asString();
    }

    /** Captures 0.01 USD (1 credit) under {@code eventId}; the outcome. */
    static String capture(CreditsApp app, String hold, String eventId) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds/" + hold + "/capture",
                "{\"costUsd\":\"0.01\",\"eventId\":\"" + eventId + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("outcome").asString();
    }
}
