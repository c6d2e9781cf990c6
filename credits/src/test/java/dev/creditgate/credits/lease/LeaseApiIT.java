package dev.creditgate.credits.lease;

import static dev.creditgate.credits.lease.Leases.event;
import static dev.creditgate.credits.lease.Leases.open;
import static dev.creditgate.credits.lease.Leases.outcomes;
import static dev.creditgate.credits.lease.Leases.settle;
import static dev.creditgate.credits.lease.Leases.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.credits.apikey.StubGateway;

/**
 * The lease API's edges, on H2 (request handling, not database logic): disabled and deleted keys (through the key
 * API and a stub gateway) named in refresh answers, refused on open, still charged on settle; every kind of bad
 * input answered with a clear 4xx that changes nothing; auth; body limits.
 */
class LeaseApiIT {

    @Test
    void refreshNamesKeysThatAreNoLongerActive() throws Exception {
        try (StubGateway gateway = new StubGateway();
             CreditsApp app = CreditsApp.start(TestDatabases.h2(), null, Map.of("credits.gateway.url", gateway.url(),
                     "credits.gateway.admin-token", StubGateway.ADMIN))) {
            String userId = app.admin("POST", "/api/users", "{\"email\":\"lk@example.test\",\"name\":\"L\"}").json()
                    .get("data").get("id").asString();
            app.admin("POST", "/api/users/" + userId + "/credits", "{\"amount\":100,\"type\":\"RECHARGE\"}");
            String k1 = key(app, userId, "one");
            String k2 = key(app, userId, "two");
            String k3 = key(app, userId, "three");
            String other = app.userWithKey("10", 99)[1]; // ACTIVE, but another user's
            String lease = open(app, k1, "gw-1", "0.2", 30, 201).get("leaseId").asString();

            assertThat(app.admin("PATCH", "/api/keys/" + k2, "{\"status\":\"DISABLED\"}").status()).isEqualTo(200);
            assertThat(app.admin("DELETE", "/api/keys/" + k3, null).status()).isEqualTo(200);
            String unknown = UUID.randomUUID().toString();
            CreditsApp.Answer r = Leases.refresh(app, lease, "0.2", "0", 30,
                    List.of(k1, k2, k3, unknown, "not-a-uuid", other, k2));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("disabledKeys").valueStream().map(JsonNode::asString).toList())
                    .containsExactly(k2, k3, unknown, "not-a-uuid", other);
            assertThat(Leases.refresh(app, lease, "0.2", "0", 30, List.of(k1)).json().get("disabledKeys")).isEmpty();

            // opening with a disabled key: 403 key_disabled; with a deleted one: 404, as holds do
            CreditsApp.Answer disabled = Leases.open(app, k2, "gw-2", "0.1", "0", 30);
            assertThat(disabled.status()).isEqualTo(403);
            assertThat(disabled.json().get("code").asString()).isEqualTo("key_disabled");
            CreditsApp.Answer deleted = Leases.open(app, k3, "gw-2", "0.1", "0", 30);
            assertThat(deleted.status()).isEqualTo(404);
            assertThat(deleted.json().get("message").asString()).isEqualTo("API Key not found");
            // usage already served on a disabled key is charged all the same
            assertThat(outcomes(settle(app, lease, 200, event("cg-k2", k2, "0.01")))).containsExactly("CHARGED:1");
            // PATCH back to ACTIVE: no longer named
            assertThat(app.admin("PATCH", "/api/keys/" + k2, "{\"status\":\"ACTIVE\"}").status()).isEqualTo(200);
            assertThat(Leases.refresh(app, lease, "0.2", "0", 30, List.of(k2)).json().get("disabledKeys")).isEmpty();
        }
    }

    private static String key(CreditsApp app, String userId, String label) {
        CreditsApp.Answer r = app.admin("POST", "/api/keys", "{\"userId\":\"" + userId + "\",\"label\":\"" + label + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("data").get("id").asString();
    }

    @Test
    void badInputChangesNothing() {
        try (CreditsApp app = CreditsApp.start(TestDatabases.h2(), null, Map.of())) {
            String[] ids = app.userWithKey("10", 31);
            String k = ids[1];
            String otherKey = app.userWithKey("10", 32)[1];
            String lease = open(app, k, "gw-1", "0.02", 30, 201).get("leaseId").asString();
            long[] before = user(app, ids[0]);
            long entries = app.jdbc().sql("SELECT COUNT(*) FROM ledger_entries").query(Long.class).single();

            String open = "/api/credits/leases";
            for (String body : new String[] {null, "", "{", "[]", "{}", "{\"owner\":\"gw\",\"amountUsd\":1}",
                    "{\"keyId\":\"" + k + "\",\"amountUsd\":1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw 1\",\"amountUsd\":1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"" + "g".repeat(65) + "\",\"amountUsd\":1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":7,\"amountUsd\":1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\"}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":-1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":\"abc\"}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":true}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1e7}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"minUsd\":2}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"minUsd\":-1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"inUseUsd\":-1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"ttlSeconds\":0}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"ttlSeconds\":3601}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"ttlSeconds\":1.5}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"owner\":\"gw\",\"amountUsd\":1}",
                    "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1} x"}) {
                refused(app, open, body, 400);
            }
            assertThat(app.service("POST", open, "{\"keyId\":\"" + k + "\",\"owner\":\"gw\",\"amountUsd\":1,\"minUsd\":2}")
                    .json().get("message").asString()).contains("minUsd");
            refused(app, open, "{\"keyId\":\"" + UUID.randomUUID() + "\",\"owner\":\"gw\",\"amountUsd\":1}", 404);
            // too little credit for the smallest size asked: 402 with what is available and what was needed
            CreditsApp.Answer poor = Leases.open(app, k, "gw-2", "1", "0.5", 30);
            assertThat(poor.status()).isEqualTo(402);
            assertThat(poor.json().get("code").asString()).isEqualTo("insufficient_credit");
            assertThat(poor.json().get("available").decimalValue()).isEqualByComparingTo("8");
            assertThat(poor.json().get("needed").decimalValue()).isEqualByComparingTo("50");

            String refresh = "/api/credits/leases/" + lease + "/refresh";
            for (String body : new String[] {null, "{", "{}", "{\"amountUsd\":-1}", "{\"amountUsd\":1,\"minUsd\":2}",
                    "{\"amountUsd\":1,\"inUseUsd\":-0.1}", "{\"amountUsd\":1,\"inUseUsd\":1e7}",
                    "{\"amountUsd\":1,\"ttlSeconds\":0}", "{\"amountUsd\":1,\"keyIds\":\"k\"}",
                    "{\"amountUsd\":1,\"keyIds\":[1]}", "{\"amountUsd\":1,\"keyIds\":[\"\"]}",
                    "{\"amountUsd\":1,\"keyIds\":[\"" + "k".repeat(65) + "\"]}",
                    "{\"amountUsd\":1,\"keyIds\":[" + "\"k\",".repeat(1000) + "\"k\"]}"}) {
                refused(app, refresh, body, 400);
            }
            refused(app, "/api/credits/leases/" + UUID.randomUUID() + "/refresh", "{\"amountUsd\":1}", 404);
            refused(app, "/api/credits/leases/not-a-uuid/refresh", "{\"amountUsd\":1}", 404);

            String settle = "/api/credits/leases/" + lease + "/settle";
            String good = event("cg-ok", k, "0.01");
            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i < 501; i++) {
                tooMany.add(event("cg-" + i, k, "0"));
            }
            for (String body : new String[] {null, "{", "{}", "{\"events\":[]}", "{\"events\":{}}", "{\"events\":[1]}",
                    "{\"events\":[" + String.join(",", tooMany) + "]}",
                    "{\"events\":[{\"keyId\":\"" + k + "\",\"costUsd\":1}]}",
                    "{\"events\":[" + good + "," + event("e".repeat(129), k, "0.01") + "]}",
                    "{\"events\":[" + good + "," + event("", k, "0.01") + "]}",
                    "{\"events\":[{\"eventId\":\"x\",\"costUsd\":1}]}",
                    "{\"events\":[" + good + "," + event("cg-neg", k, "-0.1") + "]}",
                    "{\"events\":[" + good + "," + event("cg-big", k, "1000001") + "]}",
                    "{\"events\":[" + good + "," + event("cg-nan", k, "abc") + "]}",
                    "{\"events\":[" + good + "," + good + "]}",
                    "{\"events\":[{\"eventId\":\"x\",\"keyId\":\"" + k + "\",\"costUsd\":1,\"promptTokens\":-1}]}",
                    "{\"events\":[{\"eventId\":\"x\",\"keyId\":\"" + k + "\",\"costUsd\":1,\"model\":5}]}",
                    "{\"events\":[" + good + "," + event("cg-other", otherKey, "0.01") + "]}",
                    "{\"events\":[" + good + "," + event("cg-nokey", UUID.randomUUID().toString(), "0.01") + "]}"}) {
                refused(app, settle, body, 400);
            }
            assertThat(app.service("POST", settle, "{\"events\":[" + good + "," + good + "]}").json().get("message")
                    .asString()).contains("events[1].eventId").contains("twice");
            assertThat(app.service("POST", settle, "{\"events\":[" + good + "," + event("cg-neg", k, "-0.1") + "]}")
                    .json().get("message").asString()).startsWith("events[1].costUsd");
            assertThat(app.service("POST", settle, "{\"events\":[" + good + "," + event("cg-o", otherKey, "0.01") + "]}")
                    .json().get("message").asString()).contains("events[1].keyId").contains("not a key of the lease's user");
            refused(app, "/api/credits/leases/" + UUID.randomUUID() + "/settle", "{\"events\":[" + good + "]}", 404);
            refused(app, "/api/credits/leases/" + UUID.randomUUID() + "/release", null, 404);

            // scope holds:write: the balance-only token may not, no token is 401
            assertThat(app.call("POST", refresh, "{\"amountUsd\":1}", Map.of("X-API-Key", CreditsApp.BALANCE_ONLY))
                    .status()).isEqualTo(403);
            assertThat(app.call("POST", open, "{}", Map.of("X-API-Key", CreditsApp.BALANCE_ONLY)).status()).isEqualTo(403);
            assertThat(app.call("POST", settle, "{}", Map.of()).status()).isEqualTo(401);

            // nothing changed by any of it
            assertThat(user(app, ids[0])).containsExactly(before);
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM ledger_entries").query(Long.class).single()).isEqualTo(entries);
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM processed_events").query(Long.class).single()).isZero();
            assertThat(app.jdbc().sql("SELECT amount FROM leases WHERE id = :id").param("id", lease).query(Long.class)
                    .single()).isEqualTo(2_000_000L);
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM leases").query(Long.class).single()).isEqualTo(1L);
        }
    }

    @Test
    void settlementsMayBeLargerThanOtherBodies() {
        try (CreditsApp app = CreditsApp.start(TestDatabases.h2(), null, Map.of())) {
            String[] ids = app.userWithKey("100", 41);
            String lease = open(app, ids[1], "gw-1", "0.5", 30, 201).get("leaseId").asString();
            // 500 events with the longest ids: above the 64 KB of other bodies, within the settlement limit
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                events.add(event(String.format("%0128d", i), ids[1], "0.000001"));
            }
            CreditsApp.Answer r = settle(app, lease, events);
            assertThat(r.body().length()).isPositive();
            assertThat(String.join(",", events).length()).isGreaterThan(64 * 1024);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("results")).hasSize(500);
            assertThat(r.json().get("spent").decimalValue()).isEqualByComparingTo("0.05"); // 500 x 0.0001 credits
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM ledger_entries WHERE type = 'LEASE_CHARGE'")
                    .query(Long.class).single()).isEqualTo(500L);
            // above it: 413
            String huge = "{\"events\":[" + event("x".repeat(100), ids[1], "0") + "],\"pad\":\"" + "p".repeat(1_100_000) + "\"}";
            assertThat(app.service("POST", "/api/credits/leases/" + lease + "/settle", huge).status()).isEqualTo(413);
            // other lease endpoints keep the ordinary limit
            String big = "{\"amountUsd\":1,\"pad\":\"" + "p".repeat(70_000) + "\"}";
            assertThat(app.service("POST", "/api/credits/leases/" + lease + "/refresh", big).status()).isEqualTo(413);
        }
    }

    private static void refused(CreditsApp app, String path, String body, int status) {
        CreditsApp.Answer r = app.service("POST", path, body);
        assertThat(r.status()).as(path + " " + body + " -> " + r.body()).isEqualTo(status);
        assertThat(r.json().get("success").booleanValue()).isFalse();
        assertThat(r.json().get("message").asString()).isNotBlank();
    }
}
