package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The management API and the storage behind it, run against each database (subclasses choose it). Everything
 * goes through HTTP, so the SQL of every repository is exercised on every vendor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ManagementApiContract {

    private TestDatabases.Db db;
    private MockUpstream mock;
    RunningGateway gw;

    abstract TestDatabases.Db database();

    @BeforeAll
    void start() {
        db = database();
        mock = MockUpstream.start();
        gw = RunningGateway.start(db, "gateway.logs.flush-interval=50ms");
        Answer channel = gw.admin("POST", "/api/channel/", json("name", "mock", "type", "openai",
                "base_url", mock.baseUrl(), "key", "sk-upstream", "models", "gpt-4o-mini,text-embedding-3-small"));
        assertThat(channel.status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (mock != null) {
            mock.close();
        }
        if (db != null) {
            db.drop().run();
        }
    }

    /** {@code GET /api/log/usage} (the console's charts): its per-day SQL on every database. */
    @Test
    void usageSumsConsumptionPerUtcDayAndModelExactly() {
        var jdbc = gw.context().getBean(org.springframework.jdbc.core.simple.JdbcClient.class);
        long day = 1_700_000_000L - 1_700_000_000L % 86_400; // 2023-11-14T00:00Z, far from every other row
        Object[][] rows = {
                {day + 10, 2, "usage-a", 100, "0.000123", 5, 7},
                {day + 86_399, 2, "usage-a", 50, "0.000001", 1, 1},
                {day + 86_400, 2, "usage-a", 1, "0.5", 2, 2},
                {day + 20, 5, "usage-a", 999, "9", 9, 9}, // an error row: not consumption
                {day + 30, 2, "usage-b", 7, "0", 3, 4}};
        for (Object[] r : rows) {
            jdbc.sql("""
                    INSERT INTO logs (created_at, type, user_id, token_id, token_name, model_name, prompt_tokens,
                        completion_tokens, quota, request_id, is_stream, use_time_ms, channel_id, content, cost_usd, other)
                    VALUES (?, ?, 0, 0, 't', ?, ?, ?, ?, ?, FALSE, 1, 0, '', ?, '')""")
                    .params(r[0], r[1], r[2], r[5], r[6], r[3], UUID.randomUUID().toString(),
                            new java.math.BigDecimal((String) r[4])).update();
        }
        Answer a = gw.admin("GET", "/api/log/usage?start_timestamp=" + day + "&end_timestamp=" + (day + 2 * 86_400), null);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.data().toString()).isEqualTo(RunningGateway.JSON.readTree("""
                [{"day":%d,"model_name":"usage-a","requests":2,"quota":150,"cost_usd":"0.000124","prompt_tokens":6,"completion_tokens":8},
                 {"day":%d,"model_name":"usage-b","requests":1,"quota":7,"cost_usd":"0","prompt_tokens":3,"completion_tokens":4},
                 {"day":%d,"model_name":"usage-a","requests":1,"quota":1,"cost_usd":"0.5","prompt_tokens":2,"completion_tokens":2}]
                """.formatted(day, day, day + 86_400)).toString());
    }

    @Test
    void statusIsPublicAndTheRestNeedsTheAdminToken() {
        Answer status = gw.call("GET", "/api/status", null, null);
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().path("success").asBoolean()).isTrue();

        Answer none = gw.call("GET", "/api/token/", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().path("success").asBoolean()).isFalse();
        Answer wrong = gw.call("GET", "/api/token/", null, "Bearer " + RunningGateway.ADMIN_TOKEN + "x");
        assertThat(wrong.status()).isEqualTo(401);
    }

    @Test
    void theLetAiCodeTokenLifecycle() {
        String remoteKeyId = UUID.randomUUID().toString();
        // The exact body the real LetAiCode backend sends, plus the remote key id this project's platform adds.
        Answer created = gw.admin("POST", "/api/token/", json("name", "LetAiCode key", "remain_quota", -1,
                "unlimited_quota", true, "user_id", 0, "source", "letaicode", "group", "letaicode",
                "remote_key_id", remoteKeyId));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode token = created.data();
        long id = token.path("id").asLong();
        String key = token.path("key").asString();
        assertThat(key).startsWith("sk-").hasSize(51);
        assertThat(token.path("source").asString()).isEqualTo("letaicode");
        assertThat(token.path("user_id").asLong()).isZero();
        assertThat(token.path("remote_key_id").asString()).isEqualTo(remoteKeyId);

        // Read back: the key is masked.
        Answer read = gw.admin("GET", "/api/token/" + id, null);
        assertThat(read.status()).isEqualTo(200);
        String masked = read.data().path("key").asString();
        assertThat(masked).startsWith("sk-" + key.substring(3, 7)).endsWith(key.substring(key.length() - 4)).contains("*");
        assertThat(masked).isNotEqualTo(key);
        assertThat(read.data().path("group").asString()).isEqualTo("letaicode");
        assertThat(read.data().path("unlimited_quota").asBoolean()).isTrue();

        // Found by remote key id (and by source).
        Answer found = gw.admin("GET", "/api/token/?remote_key_id=" + remoteKeyId + "&source=letaicode", null);
        assertThat(found.data().path("total").asLong()).isEqualTo(1);
        assertThat(found.data().path("items").get(0).path("id").asLong()).isEqualTo(id);

        // Idempotent re-create: same key and remote key id -> the same token.
        Answer again = gw.admin("POST", "/api/token/", json("name", "LetAiCode key", "key", key, "remain_quota", -1,
                "unlimited_quota", true, "source", "letaicode", "group", "letaicode", "remote_key_id", remoteKeyId));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.data().path("id").asLong()).isEqualTo(id);
        assertThat(again.data().path("key").asString()).isEqualTo(key);
        // Same remote key id, another key: conflict, nothing created.
        Answer conflict = gw.admin("POST", "/api/token/", json("name", "x", "unlimited_quota", true,
                "source", "letaicode", "remote_key_id", remoteKeyId));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(gw.admin("GET", "/api/token/?remote_key_id=" + remoteKeyId, null).data().path("total").asLong())
                .isEqualTo(1);

        // The credit platform is not configured here (no letaicode_domain): the credit admission ("creditAdmission")
        // refuses a letaicode key before any upstream call (fallback local: no owner, no last known balance -> 503);
        // never relayed for free. The model is priced, else the estimate would answer 400 model_price_error first.
        assertThat(gw.admin("PUT", "/api/option/", json("key", "ModelPrice", "value", "{\"gpt-4o-mini\":0.001}"))
                .status()).isEqualTo(200);
        String chat = json("model", "gpt-4o-mini", "messages", java.util.List.of(Map.of("role", "user", "content", "hi")));
        long upstreamCalls = mock.stats().calls();
        Answer relayed = gw.call("POST", "/v1/chat/completions", chat, "Bearer " + key);
        assertThat(relayed.status()).as(relayed.body()).isEqualTo(503);
        assertThat(relayed.json().path("error").path("code").asString()).isEqualTo("credit_service_unavailable");
        assertThat(mock.stats().calls()).isEqualTo(upstreamCalls);

        // Disable the way LetAiCode does: only {id, status}. Other fields stay.
        Answer disabled = gw.admin("PUT", "/api/token/", json("id", id, "status", 2));
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.data().path("status").asInt()).isEqualTo(2);
        assertThat(disabled.data().path("name").asString()).isEqualTo("LetAiCode key");
        assertThat(disabled.data().path("unlimited_quota").asBoolean()).isTrue();
        assertThat(gw.call("POST", "/v1/chat/completions", chat, "Bearer " + key).status()).isEqualTo(401);

        // Delete.
        assertThat(gw.admin("DELETE", "/api/token/" + id, null).status()).isEqualTo(200);
        assertThat(gw.admin("GET", "/api/token/" + id, null).status()).isEqualTo(404);
        assertThat(gw.admin("DELETE", "/api/token/" + id, null).status()).isEqualTo(404);
        assertThat(gw.call("POST", "/v1/chat/completions", chat, "Bearer " + key).status()).isEqualTo(401);
    }

    @Test
    void tokenUpdatesChangeOnlyWhatIsPresentAndRefuseBadInput() {
        Answer created = gw.admin("POST", "/api/token/", json("name", "native", "remain_quota", 1000,
                "model_limits_enabled", true, "model_limits", "gpt-4o-mini", "allow_ips", "127.0.0.1\n10.0.0.0/8"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        long id = created.data().path("id").asLong();
        assertThat(created.data().path("source").asString()).isEqualTo("native");

        Answer renamed = gw.admin("PUT", "/api/token/", json("id", id, "name", "renamed", "remain_quota", 77));
        assertThat(renamed.data().path("name").asString()).isEqualTo("renamed");
        assertThat(renamed.data().path("remain_quota").asLong()).isEqualTo(77);
        assertThat(renamed.data().path("model_limits").asString()).isEqualTo("gpt-4o-mini");
        assertThat(renamed.data().path("allow_ips").asString()).isEqualTo("127.0.0.1\n10.0.0.0/8");

        Answer statusOnly = gw.admin("PUT", "/api/token/?status_only=1", json("id", id, "status", 2, "name", "ignored"));
        assertThat(statusOnly.status()).isEqualTo(200);
        assertThat(statusOnly.data().path("status").asInt()).isEqualTo(2);
        assertThat(statusOnly.data().path("name").asString()).isEqualTo("renamed");

        // Bad input: 4xx, nothing changes.
        assertThat(gw.admin("PUT", "/api/token/", "{\"id\": " + id + ", \"name\": ").status()).isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/token/", json("id", id, "name", "x", "remain_quota", "lots")).status()).isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/token/", json("id", id, "status", 9)).status()).isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/token/", json("id", id, "allow_ips", "not-an-ip")).status()).isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/token/", json("id", 987654321, "status", 1)).status()).isEqualTo(404);
        assertThat(gw.admin("GET", "/api/token/abc", null).status()).isEqualTo(400);
        assertThat(gw.admin("GET", "/api/token/987654321", null).status()).isEqualTo(404);
        assertThat(gw.admin("POST", "/api/token/", json("name", "x", "source", "martian")).status()).isEqualTo(400);
        assertThat(gw.admin("POST", "/api/token/", json("name", "x", "user_id", 987654)).status()).isEqualTo(400);
        assertThat(gw.admin("POST", "/api/token/", "[1,2]").status()).isEqualTo(400);
        JsonNode after = gw.admin("GET", "/api/token/" + id, null).data();
        assertThat(after.path("name").asString()).isEqualTo("renamed");
        assertThat(after.path("remain_quota").asLong()).isEqualTo(77);
        assertThat(after.path("status").asInt()).isEqualTo(2);

        // An imported key that already exists is a conflict.
        String key = "importedKey0123456789abcdefghij";
        assertThat(gw.admin("POST", "/api/token/", json("name", "imp", "key", "sk-" + key)).status()).isEqualTo(200);
        assertThat(gw.admin("POST", "/api/token/", json("name", "imp2", "key", key)).status()).isEqualTo(409);
    }

    @Test
    void usersCanBeCreatedReadAndManaged() {
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        Answer created = gw.admin("POST", "/api/user/", json("username", name, "quota", 500, "group", "vip"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        long id = created.data().path("id").asLong();
        assertThat(created.data().path("group").asString()).isEqualTo("vip");
        assertThat(gw.admin("POST", "/api/user/", json("username", name)).status()).isEqualTo(409);

        assertThat(gw.admin("POST", "/api/user/manage", json("id", id, "action", "add_quota", "mode", "add", "value", 100))
                .data().path("quota").asLong()).isEqualTo(600);
        assertThat(gw.admin("POST", "/api/user/manage", json("id", id, "action", "add_quota", "mode", "subtract", "value", 1000))
                .status()).isEqualTo(400);
        assertThat(gw.admin("POST", "/api/user/manage", json("id", id, "action", "add_quota", "mode", "subtract", "value", 50))
                .data().path("quota").asLong()).isEqualTo(550);
        assertThat(gw.admin("POST", "/api/user/manage", json("id", id, "action", "add_quota", "mode", "override", "value", 7))
                .data().path("quota").asLong()).isEqualTo(7);
        assertThat(gw.admin("POST", "/api/user/manage", json("id", id, "action", "disable")).data().path("status").asInt())
                .isEqualTo(2);
        assertThat(gw.admin("POST", "/api/user/manage", json("id", id, "action", "explode")).status()).isEqualTo(400);
        assertThat(gw.admin("POST", "/api/user/manage", json("id", 987654, "action", "enable")).status()).isEqualTo(404);
        assertThat(gw.admin("GET", "/api/user/" + id, null).data().path("quota").asLong()).isEqualTo(7);
        assertThat(gw.admin("GET", "/api/user/987654", null).status()).isEqualTo(404);

        // A token of a disabled user is refused.
        Answer token = gw.admin("POST", "/api/token/", json("name", "t", "user_id", id, "unlimited_quota", true));
        String chat = json("model", "gpt-4o-mini", "messages", java.util.List.of(Map.of("role", "user", "content", "hi")));
        assertThat(gw.call("POST", "/v1/chat/completions", chat, "Bearer " + token.data().path("key").asString()).status())
                .isEqualTo(403);
    }

    @Test
    void channelsAndOptions() {
        Answer created = gw.admin("POST", "/api/channel/", json("name", "second", "type", "openai",
                "base_url", "http://127.0.0.1:1/v1/", "key", "sk-secret-upstream", "models", "other-model",
                "model_mapping", Map.of("other-model", "gpt-4o"), "priority", 5, "weight", 3, "status", 2));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        long id = created.data().path("id").asLong();
        assertThat(created.data().path("base_url").asString()).isEqualTo("http://127.0.0.1:1");
        assertThat(created.body()).doesNotContain("sk-secret-upstream");
        assertThat(created.data().path("model_mapping").asString()).contains("gpt-4o");

        Answer updated = gw.admin("PUT", "/api/channel/", json("id", id, "weight", 9));
        assertThat(updated.data().path("weight").asInt()).isEqualTo(9);
        assertThat(updated.data().path("priority").asLong()).isEqualTo(5);
        assertThat(gw.admin("PUT", "/api/channel/", json("id", id, "type", "carrier-pigeon")).status()).isEqualTo(400);
        Answer azure = gw.admin("PUT", "/api/channel/", json("id", id, "type", "3", "other", "2025-04-01-preview"));
        assertThat(azure.data().path("type").asString()).as("new-api's number for azure").isEqualTo("azure");
        assertThat(gw.admin("GET", "/api/channel/" + id, null).data().path("other").asString())
                .isEqualTo("2025-04-01-preview");
        assertThat(created.data().path("other").asString()).as("empty unless given").isEmpty();
        assertThat(gw.admin("POST", "/api/channel/", json("name", "bad", "base_url", "ftp://x", "key", "k", "models", "m"))
                .status()).isEqualTo(400);
        assertThat(gw.admin("GET", "/api/channel/?p=1&page_size=100", null).data().path("total").asLong())
                .isGreaterThanOrEqualTo(2);
        assertThat(gw.admin("DELETE", "/api/channel/" + id, null).status()).isEqualTo(200);
        assertThat(gw.admin("GET", "/api/channel/" + id, null).status()).isEqualTo(404);

        assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_webhook_secret", "value", "s3cr3t")).status())
                .as("a short secret").isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_webhook_secret",
                "value", "s3cr3t-0123456789-0123456789-0123")).status()).isEqualTo(200);
        assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_timeout_ms", "value", 1500)).status())
                .isEqualTo(200);
        assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_timeout_ms", "value", -5)).status())
                .isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/option/", json("key", "ModelRatio", "value", "{not json")).status())
                .isEqualTo(400);
        assertThat(gw.admin("PUT", "/api/option/", json("key", "ModelRatio", "value", Map.of("gpt-4o", 1.25))).status())
                .isEqualTo(200);
        Answer options = gw.admin("GET", "/api/option/", null);
        assertThat(options.body()).doesNotContain("s3cr3t");
        Map<String, String> byKey = new java.util.HashMap<>();
        options.data().forEach(o -> byKey.put(o.path("key").asString(), o.path("value").asString()));
        assertThat(byKey).containsEntry("letaicode_timeout_ms", "1500").containsEntry("letaicode_webhook_secret", "********");
        assertThat(byKey.get("ModelRatio")).contains("1.25");
        assertThat(gw.context().getBean(dev.creditgate.gateway.option.OptionService.class)
                .getLong("letaicode_timeout_ms", 2000)).isEqualTo(1500);
    }

    @Test
    void keysAndSecretsAreNotStoredInPlainText() {
        String upstreamKey = "sk-upstream-at-rest-" + UUID.randomUUID();
        String secret = "webhook-secret-at-rest-" + UUID.randomUUID();
        String imported = "importedAtRest" + UUID.randomUUID().toString().replace("-", "");
        Answer channel = gw.admin("POST", "/api/channel/", json("name", "at-rest", "type", "openai",
                "base_url", "http://127.0.0.1:1", "key", upstreamKey, "models", "at-rest-model"));
        assertThat(channel.status()).as(channel.body()).isEqualTo(200);
        long channelId = channel.data().path("id").asLong();
        // a key changed by PUT is sealed too
        String changedKey = upstreamKey + "-changed";
        assertThat(gw.admin("PUT", "/api/channel/", json("id", channelId, "key", changedKey)).status()).isEqualTo(200);
        assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_webhook_secret", "value", secret)).status())
                .isEqualTo(200);
        Answer generated = gw.admin("POST", "/api/token/", json("name", "at-rest"));
        String generatedKey = generated.data().path("key").asString().substring(3);
        // new-api's "copy key" route cannot answer it: the key is not kept
        Answer copy = gw.admin("POST", "/api/token/" + generated.data().path("id").asLong() + "/key", null);
        assertThat(copy.status()).isEqualTo(404);
        assertThat(copy.body()).contains("shown once").doesNotContain(generatedKey);
        assertThat(gw.admin("POST", "/api/token/", json("name", "at-rest-imported", "key", imported)).status())
                .isEqualTo(200);

        var jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(
                new org.springframework.jdbc.datasource.DriverManagerDataSource(db.url(), db.username(), db.password()));
        StringBuilder everything = new StringBuilder();
        for (String table : java.util.List.of("tokens", "channels", "options")) {
            jdbc.sql("SELECT * FROM " + table).query().listOfRows()
                    .forEach(row -> row.values().forEach(v -> everything.append(v).append('\n')));
        }
        assertThat(everything.toString()).contains("enc:v1:")
                .doesNotContain(upstreamKey).doesNotContain(secret).doesNotContain(generatedKey).doesNotContain(imported);
        // and the gateway still reads the plaintext
        assertThat(gw.context().getBean(dev.creditgate.gateway.option.OptionService.class)
                .get("letaicode_webhook_secret", null)).isEqualTo(secret);
        assertThat(gw.admin("DELETE", "/api/channel/" + channelId, null).status()).isEqualTo(200);
    }
}
