package dev.creditgate.credits.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.credits.apikey.StubGateway;
import dev.creditgate.testkit.MutableClock;

/**
 * {@code GET /api/reconciliation}: a ledger with captures, a webhook, lease settlements and holds in every state
 * against a stub gateway's cost log with matching and mismatching rows; the differences are exactly the mismatches.
 */
class ReconciliationIT {

    static final Instant DAY = Instant.parse("2026-03-01T00:00:00Z");
    static final long FROM = DAY.getEpochSecond();
    static final long TO = FROM + 86_399;

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    static String rid(int n) {
        return String.format("%032x", n); // the gateway's request ids: 32 hex digits
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void differencesAreListedExactly(String vendor) throws Exception {
        TestDatabases.Db db = TestDatabases.of(vendor);
        MutableClock clock = new MutableClock(DAY.plusSeconds(10 * 3600));
        try (StubGateway gateway = new StubGateway();
             CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h",
                     "credits.gateway.url", gateway.url(), "credits.gateway.admin-token", StubGateway.ADMIN))) {
            String[] a = app.userWithKey("100", 501);
            String[] b = app.userWithKey("100", 502);
            long t = clock.millis() / 1000;

            // user A: captures and a webhook; what the gateway logged for each, right or wrong
            captured(app, a[1], "A1", "0.05", "0.000123", "cg-" + rid(1));
            gateway.cost(rid(1), 501, "0.000123", t);                  // matches: 0.0123 credits
            captured(app, a[1], "A2", "0.05", "0.02", "cg-" + rid(2));
            gateway.cost(rid(2), 501, "0.021", t);                     // differs: 2 vs 2.1
            webhook(app, clock, "cg-" + rid(3), 501, a[1], "0.01");
            gateway.cost(rid(3), 501, "0.01", t);                      // matches (webhook path)
            captured(app, a[1], "A4", "0.05", "0.04", "cg-" + rid(4)); // the gateway has no row: 4 vs null
            gateway.cost(rid(5), 501, "0.005", t);                     // the ledger has no charge: null vs 0.5
            // holds of A: one pending, one released, one whose TTL passed (unswept), one captured above
            hold(app, a[1], "A6", "0.1", 3600);
            String released = hold(app, a[1], "A7", "0.01", 3600);
            assertThat(app.service("POST", "/api/credits/holds/" + released + "/release", null).status()).isEqualTo(200);
            hold(app, a[1], "A8", "0.03", 60);

            // user B: one capture, matched; zero-cost rows (the gateway logs them, the ledger need not): no difference
            captured(app, b[1], "B1", "0.6", "0.5", "cg-" + rid(9));
            gateway.cost(rid(9), 502, "0.5", t);
            for (int i = 0; i < 150; i++) {
                gateway.cost(rid(1000 + i), 502, "0", t);
            }
            // lease settlements are reconciled per event like captures: A's differs, B's matches
            settledThroughLease(app, a[1], "0.3", "cg-" + rid(14), "0.2");
            gateway.cost(rid(14), 501, "0.25", t);                     // differs: 20 vs 25
            settledThroughLease(app, b[1], "0.2", "cg-" + rid(13), "0.15");
            gateway.cost(rid(13), 502, "0.15", t);                     // matches: 15
            // a token that is no key of the platform
            gateway.cost(rid(10), 999, "0.007", t);
            // outside the window on both sides: not counted
            gateway.cost(rid(11), 501, "9", FROM - 1);
            clock.advance(Duration.ofSeconds(61)); // A8's TTL passes

            CreditsApp.Answer r = app.admin("GET", "/api/reconciliation?from=" + FROM + "&to=" + TO, null);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode data = r.json().get("data");
            assertThat(r.json().get("success").booleanValue()).isTrue();
            assertThat(data.propertyNames()).containsExactly("from", "to", "creditsPerUsd", "balanced", "totals",
                    "users", "unattributed");
            assertThat(data.get("from").asLong()).isEqualTo(FROM);
            assertThat(data.get("balanced").booleanValue()).isFalse();
            assertThat(data.get("creditsPerUsd").decimalValue()).isEqualByComparingTo("100");

            JsonNode users = data.get("users");
            assertThat(users).hasSize(2);
            JsonNode ua = user(users, a[0]);
            assertThat(ua.propertyNames()).containsExactly("userId", "ledgerDebits", "gatewayCosts", "held", "holds",
                    "differences");
            assertThat(dec(ua, "ledgerDebits")).isEqualTo("27.0123");  // 0.0123 + 2 + 1 + 4 + 20
            assertThat(dec(ua, "gatewayCosts")).isEqualTo("28.6123");  // 0.0123 + 2.1 + 1 + 0.5 + 25
            assertThat(dec(ua, "held")).isEqualTo("10");
            assertThat(ua.get("differences").toString()).isEqualTo("[{\"eventId\":\"cg-" + rid(2)
                    + "\",\"ledger\":2,\"gateway\":2.1},{\"eventId\":\"cg-" + rid(4)
                    + "\",\"ledger\":4,\"gateway\":null},{\"eventId\":\"cg-" + rid(5)
                    + "\",\"ledger\":null,\"gateway\":0.5},{\"eventId\":\"cg-" + rid(14)
                    + "\",\"ledger\":20,\"gateway\":25}]");
            assertThat(ua.get("holds").toString()).isEqualTo("{\"pending\":{\"count\":1,\"amount\":10},"
                    + "\"captured\":{\"count\":3,\"amount\":15,\"captured\":6.0123},"
                    + "\"released\":{\"count\":1,\"amount\":1},\"expired\":{\"count\":1,\"amount\":3}}");

            JsonNode ub = user(users, b[0]);
            assertThat(dec(ub, "ledgerDebits")).isEqualTo("65");
            assertThat(dec(ub, "gatewayCosts")).isEqualTo("65");
            assertThat(dec(ub, "held")).isEqualTo("0");
            assertThat(ub.get("differences")).isEmpty();

            assertThat(data.get("unattributed").toString())
                    .isEqualTo("[{\"eventId\":\"cg-" + rid(10) + "\",\"tokenId\":999,\"gateway\":0.7}]");
            JsonNode totals = data.get("totals");
            assertThat(totals.toString()).isEqualTo("{\"ledgerDebits\":92.0123,\"gatewayCosts\":94.3123,\"held\":10,"
                    + "\"ledgerEvents\":7,\"gatewayRows\":158,\"differences\":4,\"unattributed\":1}");
            // 158 rows = 2 pages of 100; the window and the paging were asked as the gateway reads them
            assertThat(gateway.costQueries).containsExactly(
                    "start_timestamp=" + FROM + "&end_timestamp=" + TO + "&p=1&page_size=100",
                    "start_timestamp=" + FROM + "&end_timestamp=" + TO + "&p=2&page_size=100");

            // the next day: one matched capture only -> balanced
            clock.advance(Duration.ofDays(1));
            long t2 = clock.millis() / 1000;
            captured(app, b[1], "B2", "0.01", "0.01", "cg-" + rid(12));
            gateway.cost(rid(12), 502, "0.01", t2);
            JsonNode next = app.admin("GET", "/api/reconciliation?from=" + (FROM + 86_400) + "&to=" + (TO + 86_400),
                    null).json().get("data");
            assertThat(next.get("balanced").booleanValue()).isTrue();
            assertThat(next.get("users")).singleElement().satisfies(u -> {
                assertThat(u.get("userId").asString()).isEqualTo(b[0]);
                assertThat(dec(u, "ledgerDebits")).isEqualTo("1");
                assertThat(dec(u, "gatewayCosts")).isEqualTo("1");
                assertThat(u.get("differences")).isEmpty();
            });
            assertThat(next.get("unattributed")).isEmpty();
        } finally {
            TestDatabases.drop(db);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void gatewayFailuresAndBadInput(String vendor) throws Exception {
        if (!vendor.equals("h2")) {
            return; // HTTP and validation, not database logic: one database is enough
        }
        MutableClock clock = new MutableClock(DAY.plusSeconds(3600));
        try (StubGateway gateway = new StubGateway();
             CreditsApp app = CreditsApp.start(TestDatabases.h2(), clock, Map.of("credits.gateway.url", gateway.url(),
                     "credits.gateway.admin-token", StubGateway.ADMIN, "credits.gateway.timeout", "500ms"))) {
            String ok = "/api/reconciliation?from=" + FROM + "&to=" + TO;
            assertThat(app.admin("GET", ok, null).json().get("data").get("balanced").booleanValue()).isTrue();

            // the gateway answers garbage, refuses, or is down: 502 naming why
            gateway.costsReply = new AbstractMap.SimpleEntry<>(200, "{\"success\":true,\"data\":{\"items\":"
                    + "[{\"request_id\":\"x\",\"token_id\":1,\"cost_usd\":\"abc\",\"created_at\":1}],\"total\":1}}");
            CreditsApp.Answer garbage = app.admin("GET", ok, null);
            assertThat(garbage.status()).isEqualTo(502);
            assertThat(garbage.json().get("code").asString()).isEqualTo("gateway_error");
            assertThat(garbage.json().get("message").asString()).contains("items[0]").contains("cost_usd");
            gateway.costsReply = new AbstractMap.SimpleEntry<>(404, "{\"success\":false,\"message\":\"no such route\"}");
            assertThat(app.admin("GET", ok, null).json().get("message").asString())
                    .contains("/api/log/costs").contains("HTTP 404");
            gateway.costsReply = null;
            gateway.down();
            CreditsApp.Answer down = app.admin("GET", ok, null);
            assertThat(down.status()).isEqualTo(502);
            assertThat(down.json().get("success").booleanValue()).isFalse();
            assertThat(down.json().get("message").asString())
                    .startsWith("cannot reconcile: the gateway's costs are unavailable (gateway GET /api/log/costs failed");
            gateway.up();

            // bad windows
            for (String q : new String[] {"", "?from=" + FROM, "?to=" + TO, "?from=abc&to=" + TO, "?from=-1&to=" + TO,
                    "?from=" + TO + "&to=" + FROM, "?from=" + FROM + "&to=" + (FROM + 31L * 86_400 + 1),
                    "?from=1.5&to=" + TO}) {
                CreditsApp.Answer bad = app.admin("GET", "/api/reconciliation" + q, null);
                assertThat(bad.status()).as(q + " -> " + bad.body()).isEqualTo(400);
                assertThat(bad.json().get("code").asString()).isEqualTo("invalid_request");
            }
            // admin only
            assertThat(app.service("GET", ok, null).status()).isEqualTo(403);
            assertThat(app.call("GET", ok, (String) null, Map.of()).status()).isEqualTo(401);
        }
        try (CreditsApp noGateway = CreditsApp.start(TestDatabases.h2(), clock, Map.of())) {
            CreditsApp.Answer r = noGateway.admin("GET", "/api/reconciliation?from=" + FROM + "&to=" + TO, null);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().get("code").asString()).isEqualTo("gateway_not_configured");
        }
    }

    static String hold(CreditsApp app, String key, String requestId, String usd, int ttl) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + key + "\",\"requestId\":\""
                + requestId + "\",\"amountUsd\":\"" + usd + "\",\"ttlSeconds\":" + ttl + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("holdId").asString();
    }

    static void captured(CreditsApp app, String key, String requestId, String holdUsd, String costUsd, String eventId) {
        String h = hold(app, key, requestId, holdUsd, 300);
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds/" + h + "/capture",
                "{\"costUsd\":\"" + costUsd + "\",\"eventId\":\"" + eventId + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static void webhook(CreditsApp app, MutableClock clock, String eventId, long remoteKeyId, String keyId, String cost) {
        CreditsApp.Answer r = app.usageWebhook(eventId, clock.millis(), remoteKeyId, keyId, cost);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Opens a lease for {@code key} and settles one event through it. */
    static void settledThroughLease(CreditsApp app, String key, String leaseUsd, String eventId, String costUsd) {
        CreditsApp.Answer lease = app.service("POST", "/api/credits/leases", "{\"keyId\":\"" + key
                + "\",\"owner\":\"gw-1\",\"amountUsd\":\"" + leaseUsd + "\"}");
        assertThat(lease.status()).as(lease.body()).isEqualTo(201);
        CreditsApp.Answer r = app.service("POST", "/api/credits/leases/" + lease.json().get("leaseId").asString()
                + "/settle", "{\"events\":[{\"eventId\":\"" + eventId + "\",\"keyId\":\"" + key
                + "\",\"costUsd\":\"" + costUsd + "\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("results").get(0).get("outcome").asString()).isEqualTo("CHARGED");
    }

    static JsonNode user(JsonNode users, String id) {
        for (JsonNode u : users) {
            if (u.get("userId").asString().equals(id)) {
                return u;
            }
        }
        throw new AssertionError("no user " + id + " in " + users);
    }

    static String dec(JsonNode n, String field) {
        return n.get(field).decimalValue().stripTrailingZeros().toPlainString();
    }
}
