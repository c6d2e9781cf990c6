package dev.creditgate.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input everywhere answers a clear 4xx and changes nothing; admin, options, metrics endpoints. */
class BadInputIT {

    static CreditsApp app;
    static String[] ids;

    @BeforeAll
    static void start() {
        app = CreditsApp.start(TestDatabases.h2(), null, Map.of());
        ids = app.userWithKey("10", 11);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static void holdRefused(String body, int status, String messagePart) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds", body);
        assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(status);
        assertThat(r.json().get("success").booleanValue()).isFalse();
        assertThat(r.body()).contains(messagePart);
    }

    @Test
    void holdsRefuseBadInputAndChangeNothing() {
        String k = ids[1];
        holdRefused("{", 400, "malformed JSON");
        holdRefused("[]", 400, "expected a JSON object");
        holdRefused("{\"requestId\":\"x\",\"amountUsd\":1}", 400, "keyId: missing");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":\"abc\"}", 400, "amountUsd");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":true}", 400, "amountUsd: expected a decimal");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":-1}", 400, "amountUsd: -1 (expected: 0 .. 1000000)");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1e12}", 400, "amountUsd");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1,\"ttlSeconds\":0}", 400, "ttlSeconds");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1,\"ttlSeconds\":1.5}", 400, "ttlSeconds");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1,\"ttlSeconds\":999999}", 400, "ttlSeconds");
        holdRefused("{\"keyId\":\"" + k + "\",\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1}", 400, "malformed JSON");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"" + "r".repeat(129) + "\",\"amountUsd\":1}", 400, "requestId");
        holdRefused("{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1} trailing", 400, "malformed JSON");
        holdRefused("{\"keyId\":\"00000000-0000-0000-0000-000000000000\",\"requestId\":\"x\",\"amountUsd\":1}", 404, "API Key not found");
        assertThat(app.call("POST", "/api/credits/holds", "{\"keyId\":\"" + k + "\",\"requestId\":\"x\",\"amountUsd\":1}",
                Map.of("X-API-Key", CreditsApp.BALANCE_ONLY)).status()).isEqualTo(403);
        assertThat(app.call("POST", "/api/credits/holds", "{}", Map.of()).status()).isEqualTo(401);
        // capture with bad input
        assertThat(app.service("POST", "/api/credits/holds/00000000-0000-0000-0000-000000000000/capture", "{\"costUsd\":1}").status()).isEqualTo(404);
        assertThat(app.service("POST", "/api/credits/holds/x/capture", "{\"costUsd\":\"-1\"}").status()).isEqualTo(400);
        assertThat(app.service("POST", "/api/credits/holds/x/capture", "{\"costUsd\":1,\"usage\":{\"promptTokens\":-1}}").status()).isEqualTo(400);
        assertThat(app.jdbc().sql("SELECT COUNT(*) FROM holds WHERE key_id = :k").param("k", k).query(Long.class).single()).isZero();
        assertThat(app.service("GET", "/api/credits/balance/" + k, null).json().get("credit").decimalValue()).isEqualByComparingTo("10");
    }

    @Test
    void oversizedBodies() throws Exception {
        long usersBefore = app.jdbc().sql("SELECT COUNT(*) FROM users").query(Long.class).single();
        String big = "{\"keyId\":\"" + "x".repeat(70_000) + "\"}";
        CreditsApp.Answer r = app.service("POST", "/api/credits/holds", big);
        assertThat(r.status()).isEqualTo(413);
        // chunked (no Content-Length): refused while reading
        HttpRequest req = HttpRequest.newBuilder(URI.create(app.base + "/api/users"))
                .header("Authorization", "Bearer " + CreditsApp.ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build();
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(app.jdbc().sql("SELECT COUNT(*) FROM users").query(Long.class).single()).isEqualTo(usersBefore);
    }

    @Test
    void usersCreditsAndAdminAuth() {
        assertThat(app.admin("POST", "/api/users", "{\"email\":\"not-an-email\",\"name\":\"x\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", "/api/users", "{\"email\":42,\"name\":\"x\"}").status()).isEqualTo(400);
        CreditsApp.Answer u = app.admin("POST", "/api/users", "{\"email\":\"dup@example.test\",\"name\":\"D\"}");
        assertThat(u.status()).isEqualTo(201);
        assertThat(u.json().get("data").propertyNames()).contains("id", "email", "name", "balance", "held", "available", "debt");
        assertThat(app.admin("POST", "/api/users", "{\"email\":\"dup@example.test\",\"name\":\"D\"}").status()).isEqualTo(409);
        String uid = u.json().get("data").get("id").asString();
        assertThat(app.admin("GET", "/api/users/00000000-0000-0000-0000-000000000000", null).status()).isEqualTo(404);
        assertThat(app.admin("GET", "/api/users/nope", null).status()).isEqualTo(404);

        String credits = "/api/users/" + uid + "/credits";
        assertThat(app.admin("POST", credits, "{\"amount\":1,\"type\":\"FOO\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", credits, "{\"amount\":0,\"type\":\"RECHARGE\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", credits, "{\"amount\":-1,\"type\":\"RECHARGE\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", credits, "{\"amount\":\"0.0000001\",\"type\":\"RECHARGE\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", credits, "{\"amount\":1e13,\"type\":\"RECHARGE\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", "/api/users/00000000-0000-0000-0000-000000000000/credits", "{\"amount\":1,\"type\":\"RECHARGE\"}").status()).isEqualTo(404);
        CreditsApp.Answer first = app.admin("POST", credits, "{\"amount\":\"2.5\",\"type\":\"RECHARGE\",\"desc\":\"top-up\",\"ref\":\"pay-1\"}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("data").get("balanceAfter").decimalValue()).isEqualByComparingTo("2.5");
        CreditsApp.Answer replay = app.admin("POST", credits, "{\"amount\":2.5,\"type\":\"RECHARGE\",\"ref\":\"pay-1\"}");
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().get("data").get("id").longValue()).isEqualTo(first.json().get("data").get("id").longValue());
        assertThat(app.admin("POST", credits, "{\"amount\":3,\"type\":\"RECHARGE\",\"ref\":\"pay-1\"}").status()).isEqualTo(409);
        assertThat(app.admin("POST", credits, "{\"amount\":-3,\"type\":\"ADMIN_ADJUST\"}").status()).isEqualTo(409);
        assertThat(app.admin("POST", credits, "{\"amount\":-0.5,\"type\":\"ADMIN_ADJUST\"}").status()).isEqualTo(201);
        var tx = app.admin("GET", "/api/users/" + uid + "/transactions?page=1&pageSize=1", null).json().get("data");
        assertThat(tx.get("total").longValue()).isEqualTo(2);
        assertThat(tx.get("items")).hasSize(1);
        assertThat(tx.get("items").get(0).get("amount").decimalValue()).isEqualByComparingTo("-0.5");
        assertThat(tx.get("items").get(0).get("balanceAfter").decimalValue()).isEqualByComparingTo("2");
        assertThat(app.admin("GET", "/api/users/" + uid + "/transactions?pageSize=1000", null).status()).isEqualTo(400);
        assertThat(app.admin("GET", "/api/users/" + uid + "/transactions?page=abc", null).status()).isEqualTo(400);

        // admin API: the service token is not enough, nothing is 401
        assertThat(app.service("GET", "/api/users/" + uid, null).status()).isEqualTo(403);
        assertThat(app.call("GET", "/api/users/" + uid, (String) null, Map.of()).body())
                .isEqualTo("{\"success\":false,\"message\":\"Unauthorized\"}");
        assertThat(app.call("GET", "/api/users/" + uid, (String) null, Map.of("Authorization", "Bearer " + CreditsApp.ADMIN + "x")).status())
                .isEqualTo(401);
    }

    @Test
    void optionsAndMetrics() {
        String[] ids = app.userWithKey("10", 12);
        assertThat(app.admin("PUT", "/api/options", "{\"key\":\"nope\",\"value\":\"1\"}").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/options", "{\"key\":\"credits_per_usd\",\"value\":\"-1\"}").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/options", "{\"key\":\"credits_per_usd\",\"value\":\"abc\"}").status()).isEqualTo(400);
        assertThat(app.admin("GET", "/api/options", null).body()).contains("{\"key\":\"credits_per_usd\",\"value\":\"100\"}");
        CreditsApp.Answer put = app.admin("PUT", "/api/options", "{\"key\":\"credits_per_usd\",\"value\":200}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(app.service("GET", "/api/credits/balance/" + ids[1], null).body()).contains("\"creditsPerUsd\":200}");
        CreditsApp.Answer hold = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + ids[1]
                + "\",\"requestId\":\"opt-1\",\"amountUsd\":\"0.0000005\"}");
        assertThat(hold.json().get("amount").decimalValue()).isEqualByComparingTo("0.0001"); // 0.0000005 x 200, exact
        app.service("POST", "/api/credits/holds/" + hold.json().get("holdId").asString() + "/release", null);
        assertThat(app.admin("PUT", "/api/options", "{\"key\":\"credits_per_usd\",\"value\":\"100\"}").status()).isEqualTo(200);

        assertThat(app.call("GET", "/actuator/health", (String) null, Map.of()).body()).contains("\"UP\"");
        String prom = app.call("GET", "/actuator/prometheus", (String) null, Map.of()).body();
        assertThat(prom).contains("credits_holds_total{").contains("credits_debt_total").contains("credits_releases_total{");
        assertThat(prom).doesNotContain(CreditsApp.ADMIN).doesNotContain(CreditsApp.SECRET);
    }
}
