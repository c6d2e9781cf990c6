package dev.creditgate.credits;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import javax.sql.DataSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.creditgate.contract.UsageEvent;
import dev.creditgate.contract.UsageEventJson;
import dev.creditgate.contract.WebhookSignature;

/** One running credits service for tests (port 0), with helpers to call it. */
public final class CreditsApp implements AutoCloseable {

    public static final String ADMIN = "admin-token-0123456789-0123456789-abcdef";
    public static final String SERVICE = "service-token-0123456789-0123456789-abcd";
    public static final String BALANCE_ONLY = "balance-token-0123456789-0123456789-abcd";
    public static final String SECRET = "webhook-secret-0123456789-0123456789-abc";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    public static final JsonMapper JSON = JsonMapper.builder().build();

    public final ConfigurableApplicationContext context;
    public final String base;

    private CreditsApp(ConfigurableApplicationContext context) {
        this.context = context;
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.base = "http://127.0.0.1:" + port;
    }

    public static CreditsApp start(TestDatabases.Db db, Clock clock, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.config.name", "credits");
        p.put("server.port", "0");
        p.put("spring.datasource.url", db.url());
        p.put("spring.datasource.username", db.user());
        p.put("spring.datasource.password", db.password());
        p.put("credits.admin-token", ADMIN);
        p.put("credits.service-token", SERVICE);
        p.put("credits.balance-token", BALANCE_ONLY);
        p.put("credits.webhook-secret", SECRET);
        p.put("credits.holds.sweep-interval", "200ms");
        p.put("spring.main.banner-mode", "off");
        p.put("logging.level.root", "WARN");
        p.put("logging.level.dev.creditgate", "INFO");
        p.putAll(extra);
        // command-line arguments: they take precedence over credits.yml (builder properties would not)
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        SpringApplicationBuilder b = new SpringApplicationBuilder(CreditsApplication.class);
        if (clock != null) {
            b.initializers(ctx -> ctx.getBeanFactory().registerSingleton("clock", clock));
        }
        return new CreditsApp(b.run(args));
    }

    public JdbcClient jdbc() {
        return JdbcClient.create(context.getBean(DataSource.class));
    }

    @Override
    public void close() {
        context.close();
    }

    /** An HTTP answer. */
    public record Answer(int status, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    public Answer admin(String method, String path, String body) {
        return call(method, path, body, Map.of("Authorization", "Bearer " + ADMIN));
    }

    public Answer service(String method, String path, String body) {
        return call(method, path, body, Map.of("X-API-Key", SERVICE));
    }

    public Answer call(String method, String path, String body, Map<String, String> headers) {
        return call(method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    public Answer call(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        headers.forEach(r::header);
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> res = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(res.statusCode(), res.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    /** Delivers a signed (v1) usage webhook for {@code keyId} (gateway token {@code remoteKeyId}); the answer. */
    public Answer usageWebhook(String eventId, long timestampMs, long remoteKeyId, String keyId, String costUsd) {
        byte[] body = UsageEventJson.writeBytes(UsageEvent.usage(eventId, timestampMs,
                new UsageEvent.Data(remoteKeyId, keyId, "gpt-4o", 10, 5, 15, new java.math.BigDecimal(costUsd))));
        return call("POST", "/api/webhooks/usage", body,
                Map.of(WebhookSignature.HEADER_V1, WebhookSignature.v1(SECRET, body)));
    }

    /** Creates a user with a starting balance (credits) and an ACTIVE key inserted directly (no gateway); ids. */
    public String[] userWithKey(String credits, long remoteKeyId) {
        Answer u = admin("POST", "/api/users", "{\"email\":\"u" + System.nanoTime() + "@example.test\",\"name\":\"U\"}");
        if (u.status() != 201) {
            throw new IllegalStateException(u.body());
        }
        String userId = u.json().get("data").get("id").asString();
        if (!credits.equals("0")) {
            Answer c = admin("POST", "/api/users/" + userId + "/credits", "{\"amount\":\"" + credits + "\",\"type\":\"RECHARGE\"}");
            if (c.status() != 201) {
                throw new IllegalStateException(c.body());
            }
        }
        String keyId = java.util.UUID.randomUUID().toString();
        jdbc().sql("INSERT INTO api_keys (id, user_id, label, key_hash, masked, remote_key_id, status, created_at_ms, updated_at_ms)"
                        + " VALUES (:id, :u, 'test', :h, 'sk-test****', :r, 'ACTIVE', 0, 0)")
                .param("id", keyId).param("u", userId).param("h", keyId.replace("-", "") + "00000000000000000000000000000000".substring(0, 32))
                .param("r", remoteKeyId).update();
        return new String[] {userId, keyId};
    }
}
