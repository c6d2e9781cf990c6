package dev.creditgate.gateway.secret;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * On each database: secrets stored in plain text before encryption existed are sealed at the first start, the
 * gateway still uses them (the mock upstream accepts only the real key), a rotated key seals them again, and a wrong
 * key stops the start.
 */
class SecretsAtRestIT {

    private static final String UPSTREAM_KEY = "sk-legacy-upstream-key-0123456789";
    private static final String SERVICE_TOKEN = "legacy-service-token-0123456789abcdef";
    private static final String WEBHOOK_SECRET = "legacy-webhook-secret-0123456789abcdef";

    @Test
    void h2() {
        legacyPlaintextIsSealedAtStartStillWorksAndRotates(TestDatabases.h2(), "h2");
    }

    @Test
    void postgres() {
        legacyPlaintextIsSealedAtStartStillWorksAndRotates(TestDatabases.postgres(), "postgresql");
    }

    @Test
    void mariadb() {
        legacyPlaintextIsSealedAtStartStillWorksAndRotates(TestDatabases.mariadb(), "mysql");
    }

    private static void legacyPlaintextIsSealedAtStartStillWorksAndRotates(TestDatabases.Db db, String folder) {
        try (MockUpstream mock = MockUpstream.start().apiKey(UPSTREAM_KEY)) {
            var ds = new DriverManagerDataSource(db.url(), db.username(), db.password());
            Flyway.configure().dataSource(ds).locations("classpath:db/gateway/" + folder).load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            jdbc.sql("INSERT INTO channels (type, name, base_url, api_key, models, model_mapping, created_time) "
                    + "VALUES ('openai', 'legacy', ?, ?, 'gpt-4o-mini', '{}', 0)").params(mock.baseUrl(), UPSTREAM_KEY).update();
            jdbc.sql("INSERT INTO options (option_key, option_value, updated_time) VALUES "
                    + "('letaicode_admin_token', ?, 0), ('letaicode_webhook_secret', ?, 0), ('letaicode_domain', "
                    + "'http://127.0.0.1:1', 0)").params(SERVICE_TOKEN, WEBHOOK_SECRET).update();

            String firstId;
            try (RunningGateway gw = RunningGateway.start(db)) {
                Map<String, String> stored = stored(jdbc);
                assertThat(stored.get("channel")).startsWith("enc:v1:").doesNotContain(UPSTREAM_KEY);
                assertThat(stored.get("letaicode_admin_token")).startsWith("enc:v1:").doesNotContain(SERVICE_TOKEN);
                assertThat(stored.get("letaicode_webhook_secret")).startsWith("enc:v1:").doesNotContain(WEBHOOK_SECRET);
                assertThat(stored.get("letaicode_domain")).isEqualTo("http://127.0.0.1:1"); // not a secret
                firstId = keyId(stored.get("channel"));
                relayWorks(gw);
                // The answers mask them; the options the gateway uses are the plaintexts.
                String options = gw.admin("GET", "/api/option/", null).body();
                assertThat(options).doesNotContain(SERVICE_TOKEN).doesNotContain(WEBHOOK_SECRET).contains("********");
                var service = gw.context().getBean(dev.creditgate.gateway.option.OptionService.class);
                assertThat(service.get("letaicode_admin_token", null)).isEqualTo(SERVICE_TOKEN);
                assertThat(service.get("letaicode_webhook_secret", null)).isEqualTo(WEBHOOK_SECRET);
            }

            // Rotation: the new key with the old one as previous: everything is sealed again with the new key.
            String newKey = SecretBoxTest.KEY_B;
            try (RunningGateway gw = RunningGateway.start(db, "gateway.secret-key=" + newKey,
                    "gateway.previous-secret-keys=" + RunningGateway.SECRET_KEY)) {
                Map<String, String> stored = stored(jdbc);
                assertThat(List.of(stored.get("channel"), stored.get("letaicode_admin_token"),
                        stored.get("letaicode_webhook_secret"))).allSatisfy(v -> assertThat(keyId(v)).isNotEqualTo(firstId));
                relayWorks(gw);
            }

            // The old key alone no longer opens them: the start fails and names the field, never the secret.
            assertThatThrownBy(() -> RunningGateway.start(db).close())
                    .rootCause().hasMessageContaining("channel 1 key").hasMessageContaining("neither gateway.secret-key")
                    .hasMessageNotContaining(UPSTREAM_KEY);
        } finally {
            db.drop().run();
        }
    }

    private static void relayWorks(RunningGateway gw) {
        var user = gw.admin("POST", "/api/user/", json("username", "u" + System.nanoTime(), "quota", 1_000_000_000));
        var token = gw.admin("POST", "/api/token/", json("name", "t", "user_id", user.data().path("id").asLong(),
                "unlimited_quota", true));
        String chat = json("model", "gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi")));
        var answer = gw.call("POST", "/v1/chat/completions", chat, "Bearer " + token.data().path("key").asString());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static Map<String, String> stored(JdbcClient jdbc) {
        Map<String, String> out = new java.util.HashMap<>();
        out.put("channel", jdbc.sql("SELECT api_key FROM channels WHERE id = 1").query(String.class).single());
        jdbc.sql("SELECT option_key, option_value FROM options").query((rs, n) -> out.put(rs.getString(1),
                rs.getString(2))).list();
        return out;
    }

    private static String keyId(String sealed) {
        return sealed.split(":")[2];
    }
}
