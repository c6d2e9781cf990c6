package dev.creditgate.gateway.quota;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Test fixture: a gateway on a database with the mock upstream as its one channel, and the prices the quota
 * tests use: {@value #FIXED} costs {@value #FIXED_PRICE_QUOTA} quota per call ({@code ModelPrice} 0.01 USD);
 * {@value #RATIO} has model ratio 1 (one prompt token = 1 quota) and completion ratio 4; {@value #UNPRICED}
 * has no price.
 */
final class QuotaGateway implements AutoCloseable {

    static final String FIXED = "fixed-model";
    static final long FIXED_PRICE_QUOTA = 5_000;
    static final String RATIO = "ratio-model";
    static final String UNPRICED = "unpriced-model";

    record Token(long id, String key, long userId) {
        String bearer() {
            return "Bearer " + key;
        }
    }

    final TestDatabases.Db db;
    final MockUpstream mock;
    final RunningGateway gw;

    QuotaGateway(TestDatabases.Db db) {
        this(db, "gateway.logs.flush-interval=20ms");
    }

    QuotaGateway(TestDatabases.Db db, String... properties) {
        this.db = db;
        this.mock = MockUpstream.start();
        this.gw = RunningGateway.start(db, properties);
        ok(gw.admin("POST", "/api/channel/", json("name", "mock", "type", "openai", "base_url", mock.baseUrl(),
                "key", "sk-upstream", "models", String.join(",", FIXED, RATIO, UNPRICED))));
        ok(gw.admin("PUT", "/api/option/", json("key", "ModelPrice", "value", "{\"" + FIXED + "\":0.01}")));
        ok(gw.admin("PUT", "/api/option/", json("key", "ModelRatio", "value", "{\"" + RATIO + "\":1}")));
        ok(gw.admin("PUT", "/api/option/", json("key", "CompletionRatio", "value", "{\"" + RATIO + "\":4}")));
    }

    /** A new user with {@code quota} and a native token of it. */
    Token userWithToken(long quota, long tokenRemain, boolean unlimited) {
        Answer user = ok(gw.admin("POST", "/api/user/", json("username", "u" + UUID.randomUUID().toString().substring(0, 12),
                "quota", quota, "group", "default")));
        long userId = user.data().path("id").asLong();
        Answer token = ok(gw.admin("POST", "/api/token/", json("name", "t", "user_id", userId,
                "remain_quota", tokenRemain, "unlimited_quota", unlimited)));
        return new Token(token.data().path("id").asLong(), token.data().path("key").asString(), userId);
    }

    long userQuota(Token t) {
        return user(t).path("quota").asLong();
    }

    JsonNode user(Token t) {
        return ok(gw.admin("GET", "/api/user/" + t.userId(), null)).data();
    }

    JsonNode token(Token t) {
        return ok(gw.admin("GET", "/api/token/" + t.id(), null)).data();
    }

    long tokenRemain(Token t) {
        return token(t).path("remain_quota").asLong();
    }

    static String chat(String model, Integer maxTokens, boolean stream) {
        List<Object> kv = new ArrayList<>(List.of("model", model,
                "messages", List.of(Map.of("role", "user", "content", "Say hello to the quota tests."))));
        if (maxTokens != null) {
            kv.addAll(List.of("max_tokens", maxTokens));
        }
        if (stream) {
            kv.addAll(List.of("stream", true));
        }
        return json(kv.toArray());
    }

    Answer call(Token t, String body) {
        return gw.call("POST", "/v1/chat/completions", body, t.bearer());
    }

    /**
     * The consume rows (type 2) of a token, once there are {@code n} of them. The relay writes a row after the
     * settlement, so once the rows are there the balances are final (an answer reaches the client before its
     * settlement has run).
     */
    List<JsonNode> consumeRows(Token t, int n) {
        return rows(t, 2, n);
    }

    /** The error rows (type 5) of a token, once there are {@code n} of them. */
    List<JsonNode> errorRows(Token t, int n) {
        return rows(t, 5, n);
    }

    private List<JsonNode> rows(Token t, int type, int n) {
        Answer logs = RunningGateway.await(Duration.ofSeconds(10),
                () -> gw.admin("GET", "/api/log/?type=" + type + "&page_size=100&token_id=" + t.id(), null),
                // the page and the total are two queries: wait until both see all the rows
                a -> a.data().path("total").asLong() >= n && a.data().path("items").size() >= n);
        assertThat(logs.data().path("total").asLong()).isEqualTo(n);
        assertThat(logs.data().path("items").size()).isEqualTo(n);
        List<JsonNode> rows = new ArrayList<>();
        logs.data().path("items").forEach(rows::add);
        return rows;
    }

    /** Polls until the user's quota is exactly {@code expected} (for effects that follow the answer). */
    void awaitUserQuota(Token t, long expected) {
        RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/user/" + t.userId(), null),
                a -> a.data().path("quota").asLong() == expected);
    }

    /** Waits until the asynchronous log writer has added {@code quota} to the token's and the user's used_quota. */
    void awaitUsedQuota(Token t, long quota) {
        RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/token/" + t.id(), null),
                a -> a.data().path("used_quota").asLong() == quota);
        RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/user/" + t.userId(), null),
                a -> a.data().path("used_quota").asLong() == quota);
    }

    static Answer ok(Answer a) {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }

    @Override
    public void close() {
        try {
            gw.close();
        } finally {
            mock.close();
            db.drop().run();
        }
    }
}
