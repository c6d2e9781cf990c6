package dev.creditgate.gateway.support;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import tools.jackson.databind.JsonNode;

/**
 * Test fixture for relay tests that bill: a gateway on its own H2 database where every model the test names has
 * model ratio 1 (one prompt token = 1 quota) and completion ratio {@value #COMPLETION_RATIO}, and native users and
 * tokens to bill. Channels are added by the test.
 */
public final class PricedGateway implements AutoCloseable {

    public static final int COMPLETION_RATIO = 4;

    /** A native token and its user. */
    public record Token(long id, String key, long userId) {
    }

    private final TestDatabases.Db db;
    private final RunningGateway gw;

    public PricedGateway(String... pricedModels) {
        this.db = TestDatabases.h2();
        this.gw = RunningGateway.start(db, "gateway.logs.flush-interval=20ms");
        StringBuilder ratios = new StringBuilder("{");
        StringBuilder completion = new StringBuilder("{");
        for (String model : pricedModels) {
            ratios.append(ratios.length() > 1 ? "," : "").append('"').append(model).append("\":1");
            completion.append(completion.length() > 1 ? "," : "").append('"').append(model).append("\":")
                    .append(COMPLETION_RATIO);
        }
        ok(gw.admin("PUT", "/api/option/", json("key", "ModelRatio", "value", ratios.append('}').toString())));
        ok(gw.admin("PUT", "/api/option/", json("key", "CompletionRatio", "value", completion.append('}').toString())));
    }

    public RunningGateway gw() {
        return gw;
    }

    public String baseUrl() {
        return gw.baseUrl();
    }

    /** What a request costs at these prices. */
    public static long quota(long promptTokens, long completionTokens) {
        return promptTokens + completionTokens * COMPLETION_RATIO;
    }

    public void channel(String name, String type, String baseUrl, String key, String models, int priority) {
        ok(gw.admin("POST", "/api/channel/", json("name", name, "type", type, "base_url", baseUrl, "key", key,
                "models", models, "priority", priority)));
    }

    /** A new user with {@code quota} and an unlimited native token of it (bounded by the user's quota). */
    public Token userWithToken(long quota) {
        Answer user = ok(gw.admin("POST", "/api/user/", json("username",
                "u" + UUID.randomUUID().toString().substring(0, 12), "quota", quota, "group", "default")));
        long userId = user.data().path("id").asLong();
        Answer token = ok(gw.admin("POST", "/api/token/", json("name", "t", "user_id", userId,
                "unlimited_quota", true)));
        return new Token(token.data().path("id").asLong(), token.data().path("key").asString(), userId);
    }

    public long userQuota(Token t) {
        return ok(gw.admin("GET", "/api/user/" + t.userId(), null)).data().path("quota").asLong();
    }

    /** The consume rows (type 2) of a token, once there are exactly {@code n}. Written after the settlement. */
    public List<JsonNode> consumeRows(Token t, int n) {
        return rows(t, 2, n);
    }

    /** The error rows (type 5) of a token, once there are exactly {@code n}. */
    public List<JsonNode> errorRows(Token t, int n) {
        return rows(t, 5, n);
    }

    private List<JsonNode> rows(Token t, int type, int n) {
        Answer logs = RunningGateway.await(Duration.ofSeconds(10),
                () -> gw.admin("GET", "/api/log/?type=" + type + "&page_size=100&token_id=" + t.id(), null),
                a -> a.data().path("total").asLong() >= n && a.data().path("items").size() >= n);
        assertThat(logs.data().path("items").size()).isEqualTo(n);
        List<JsonNode> rows = new ArrayList<>();
        logs.data().path("items").forEach(rows::add);
        return rows;
    }

    /** Polls until the user's quota is exactly {@code expected} (the refund of a failed call follows its answer). */
    public void awaitUserQuota(Token t, long expected) {
        RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/user/" + t.userId(), null),
                a -> a.data().path("quota").asLong() == expected);
    }

    public static Answer ok(Answer a) {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }

    @Override
    public void close() {
        try {
            gw.close();
        } finally {
            db.drop().run();
        }
    }
}
