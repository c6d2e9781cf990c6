package dev.creditgate.gateway.credit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import dev.creditgate.credits.CreditsApplication;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The real credit platform ({@code credits} module) started for a gateway test: its own database, port 0 on first
 * start, the same port (and database) on {@link #restart()}. Keys it creates land in the given gateway.
 */
final class CreditsServer implements AutoCloseable {

    static final String ADMIN = "credits-admin-token-0123456789-abcdefghij";
    static final String SERVICE = "credits-service-token-0123456789-abcdefgh";
    static final String SECRET = "credits-webhook-secret-0123456789-abcdefg";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Key(String id, String key, long tokenId, String userId) {
        String bearer() {
            return "Bearer " + key;
        }
    }

    record Ledger(String type, long amountMicros, long balanceAfterMicros, String eventId) {
    }

    private final TestDatabases.Db db;
    private final String gatewayUrl;
    private volatile ConfigurableApplicationContext context;
    private int port;

    private CreditsServer(TestDatabases.Db db, String gatewayUrl) {
        this.db = db;
        this.gatewayUrl = gatewayUrl;
    }

    static CreditsServer start(TestDatabases.Db db, String gatewayUrl) {
        CreditsServer s = new CreditsServer(db, gatewayUrl);
        s.run(0);
        return s;
    }

    private void run(int p) {
        List<String> args = new ArrayList<>(List.of(
                "spring.config.name=" + CreditsApplication.CONFIG_NAME,
                "server.port=" + p,
                "spring.datasource.url=" + db.url(),
                "spring.datasource.username=" + db.username(),
                "spring.datasource.password=" + db.password(),
                "credits.admin-token=" + ADMIN,
                "credits.service-token=" + SERVICE,
                "credits.webhook-secret=" + SECRET,
                "credits.gateway.url=" + gatewayUrl,
                "credits.gateway.admin-token=" + RunningGateway.ADMIN_TOKEN,
                "credits.holds.sweep-interval=500ms",
                "spring.main.banner-mode=off",
                "logging.level.root=WARN"));
        context = new SpringApplicationBuilder(CreditsApplication.class)
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops the platform (its database stays). */
    void stop() {
        ConfigurableApplicationContext c = context;
        if (c != null) {
            c.close();
            context = null;
        }
    }

    /** Starts again on the same port and database. */
    void restart() {
        run(port);
    }

    JdbcClient jdbc() {
        return JdbcClient.create(context.getBean(DataSource.class));
    }

    /** A user with {@code credits}, and a key for it (created in the gateway by the platform). */
    Key userWithKey(String credits) {
        JsonNode user = ok(call("POST", "/api/users", RunningGateway.json("email",
                "u-" + UUID.randomUUID().toString().substring(0, 12) + "@example.test", "name", "test user")));
        String userId = user.path("data").path("id").asString();
        ok(call("POST", "/api/users/" + userId + "/credits", RunningGateway.json("amount", new BigDecimal(credits),
                "type", "RECHARGE", "ref", "r-" + UUID.randomUUID())));
        JsonNode key = ok(call("POST", "/api/keys", RunningGateway.json("userId", userId, "label", "test key")));
        JsonNode d = key.path("data");
        return new Key(d.path("id").asString(), d.path("key").asString(), d.path("remoteKeyId").asLong(), userId);
    }

    /** {@code GET /api/reconciliation?from=&to=} data (admin): the platform's ledger against the gateway's costs. */
    JsonNode reconciliation(long fromSeconds, long toSeconds) {
        return ok(call("GET", "/api/reconciliation?from=" + fromSeconds + "&to=" + toSeconds, null)).path("data");
    }

    /** {@code GET /api/users/:id} data: balance, held, available, debt (credits). */
    JsonNode user(String userId) {
        return ok(call("GET", "/api/users/" + userId, null)).path("data");
    }

    BigDecimal balance(String userId) {
        return user(userId).path("balance").decimalValue();
    }

    List<Ledger> ledger(String userId) {
        return jdbc().sql("SELECT type, amount, balance_after, event_id FROM ledger_entries WHERE user_id = :u"
                        + " ORDER BY id")
                .param("u", userId)
                .query((rs, i) -> new Ledger(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4)))
                .list();
    }

    /** Usage charges (captures, lease charges and webhook deductions) of a user. */
    List<Ledger> charges(String userId) {
        return ledger(userId).stream().filter(l -> l.type().equals("CAPTURE") || l.type().equals("DEDUCT")
                || l.type().equals("LEASE_CHARGE")).toList();
    }

    record Answer(int status, String body) {
    }

    Answer call(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode ok(Answer a) {
        if (a.status() / 100 != 2) {
            throw new AssertionError("credit platform answered " + a.status() + ": " + a.body());
        }
        return RunningGateway.JSON.readTree(a.body());
    }

    @Override
    public void close() {
        stop();
    }
}
