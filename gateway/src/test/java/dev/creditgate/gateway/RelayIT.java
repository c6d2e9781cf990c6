package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.Fault;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** The OpenAI-compatible relay, driven by the official OpenAI Java SDK, against the mock upstream (H2). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayIT {

    static final String CHAT = json("model", "gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi")));

    TestDatabases.Db db;
    RunningGateway gw;
    MockUpstream main;     // serves gpt-4o-mini, text-embedding-3-small, alias-model
    MockUpstream flaky;    // the high-priority channel of failover-model / stream-model
    MockUpstream backup;   // the low-priority channel of failover-model / stream-model
    String key;            // an unlimited native token
    OpenAIClient sdk;

    @BeforeAll
    void start() {
        db = TestDatabases.h2();
        main = MockUpstream.start();
        flaky = MockUpstream.start();
        backup = MockUpstream.start();
        gw = RunningGateway.start(db, "gateway.max-body-size=64KB", "gateway.logs.flush-interval=50ms",
                "gateway.token-cache-ttl=1s");
        channel("main", main, "gpt-4o-mini,text-embedding-3-small,alias-model", 0, Map.of("alias-model", "gpt-4o"));
        channel("flaky", flaky, "failover-model,stream-model", 10, Map.of());
        channel("backup", backup, "failover-model,stream-model", 0, Map.of());
        // The test models have no price: native billing (quota package) would answer 400 model_price_error.
        assertThat(gw.admin("PUT", "/api/option/", json("key", "AllowUnpricedModels", "value", "true")).status())
                .isEqualTo(200);
        key = token(json("name", "sdk", "unlimited_quota", true));
        sdk = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @BeforeEach
    void resetMocks() {
        for (MockUpstream m : List.of(main, flaky, backup)) {
            m.reset();
            m.resetStats();
        }
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
        for (MockUpstream m : new MockUpstream[] {main, flaky, backup}) {
            if (m != null) {
                m.close();
            }
        }
    }

    void channel(String name, MockUpstream mock, String models, int priority, Map<String, String> mapping) {
        Answer a = gw.admin("POST", "/api/channel/", json("name", name, "type", "openai", "base_url", mock.baseUrl(),
                "key", "sk-upstream-" + name, "models", models, "priority", priority, "model_mapping", mapping));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
    }

    String token(String body) {
        Answer a = gw.admin("POST", "/api/token/", body);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a.data().path("key").asString();
    }

    static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello, please!");
    }

    // ---- the SDK talks to the gateway ------------------------------------------------------

    @Test
    void chatNonStream() {
        main.usage(12, 5);
        ChatCompletion completion = sdk.chat().completions().create(chat("gpt-4o-mini").build());
        assertThat(completion.choices().getFirst().message().content()).contains(MockUpstream.DEFAULT_TEXT);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(12);
        assertThat(usage.completionTokens()).isEqualTo(5);
        assertThat(main.lastRequest().header("authorization")).isEqualTo("Bearer sk-upstream-main");
        assertThat(main.lastRequest().path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void chatStreamWithoutUsageHidesTheUsageChunk() {
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> withUsage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(chat("gpt-4o-mini").build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> withUsage.add(chunk));
            });
        }
        assertThat(text.toString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(withUsage).isEmpty();
        // ... but the upstream was asked for usage, so that it can be settled.
        assertThat(main.lastRequest().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
        main.awaitStreamsCompleted(1, Duration.ofSeconds(5)); // counted after the mock closed its body: may lag
    }

    @Test
    void chatStreamWithUsageDeliversIt() {
        main.usage(21, 3).reply("one two three");
        StringBuilder text = new StringBuilder();
        List<CompletionUsage> usages = new ArrayList<>();
        var params = chat("gpt-4o-mini").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(usages::add);
            });
        }
        assertThat(text.toString()).isEqualTo("one two three");
        assertThat(usages).singleElement().satisfies(u -> {
            assertThat(u.promptTokens()).isEqualTo(21);
            assertThat(u.completionTokens()).isEqualTo(3);
            assertThat(u.totalTokens()).isEqualTo(24);
        });
    }

    @Test
    void embeddings() {
        main.usage(4, 0);
        CreateEmbeddingResponse response = sdk.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello world").build());
        assertThat(response.data()).singleElement().satisfies(e -> assertThat(e.embedding()).hasSize(16));
        assertThat(response.usage().promptTokens()).isEqualTo(4);
        assertThat(main.lastRequest().path()).isEqualTo("/v1/embeddings");
    }

    @Test
    void modelsListIsFilteredByTheTokensLimits() {
        List<String> all = sdk.models().list().data().stream().map(Model::id).toList();
        assertThat(all).contains("gpt-4o-mini", "text-embedding-3-small", "alias-model", "failover-model", "stream-model");

        String limited = token(json("name", "limited", "unlimited_quota", true, "model_limits_enabled", true,
                "model_limits", "gpt-4o-mini,not-served"));
        OpenAIClient limitedSdk = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey(limited)
                .maxRetries(0).build();
        assertThat(limitedSdk.models().list().data().stream().map(Model::id).toList()).containsExactly("gpt-4o-mini");
    }

    @Test
    void modelMappingRewritesUpstreamButBillsTheRequestedName() {
        Answer a = gw.call("POST", "/v1/chat/completions",
                json("model", "alias-model", "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(main.lastRequest().json().path("model").asString()).isEqualTo("gpt-4o");
        JsonNode row = logRow(a.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(row.path("model_name").asString()).isEqualTo("alias-model");
        assertThat(row.path("content").asString()).contains("gpt-4o");
    }

    // ---- failover ---------------------------------------------------------------------------

    @Test
    void failsOverToTheNextTierOn500() {
        flaky.failNext(1, 500);
        ChatCompletion completion = sdk.chat().completions().create(chat("failover-model").build());
        assertThat(completion.choices().getFirst().message().content()).contains(MockUpstream.DEFAULT_TEXT);
        assertThat(flaky.calls()).isEqualTo(1);
        assertThat(backup.calls()).isEqualTo(1);
    }

    @Test
    void aNonJsonAnswerCountsAsAFailure() {
        flaky.faultNext(1, Fault.NONE.withGarbage());
        ChatCompletion completion = sdk.chat().completions().create(chat("failover-model").build());
        assertThat(completion.choices().getFirst().message().content()).contains(MockUpstream.DEFAULT_TEXT);
        assertThat(backup.calls()).isEqualTo(1);

        flaky.faultNext(1, Fault.NONE.withGarbage());
        backup.faultNext(1, Fault.NONE.withGarbage());
        assertThatThrownBy(() -> sdk.chat().completions().create(chat("failover-model").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
    }

    @Test
    void upstreamClientErrorsPassThroughWithoutFailover() {
        flaky.failNext(1, 400);
        assertThatThrownBy(() -> sdk.chat().completions().create(chat("failover-model").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThat(backup.calls()).isZero();
    }

    @Test
    void lastChannelsErrorPassesThrough() {
        flaky.failNext(1, 503);
        backup.failNext(1, 502);
        assertThatThrownBy(() -> sdk.chat().completions().create(chat("failover-model").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
        assertThat(flaky.calls() + backup.calls()).isEqualTo(2);
    }

    @Test
    void aStartedStreamIsNeverRetried() {
        flaky.fault(Fault.NONE.withCutAfter(2));
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(chat("stream-model").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        } catch (RuntimeException cut) {
            // the SDK may or may not complain about the missing [DONE]; what matters is below
        }
        assertThat(text.toString()).isEqualTo("Hello from");
        assertThat(flaky.streamsCut()).isEqualTo(1);
        assertThat(backup.calls()).isZero();
    }

    @Test
    void aStreamBrokenBeforeItsFirstEventFailsOverToTheNextChannel() {
        flaky.faultNext(1, Fault.NONE.withCutAtStart());
        backup.reply("one two three");
        StringBuilder text = new StringBuilder();
        List<CompletionUsage> usages = new ArrayList<>();
        var params = chat("stream-model").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(usages::add);
            });
        }
        assertThat(text.toString()).isEqualTo("one two three");
        assertThat(usages).singleElement().satisfies(u -> assertThat(u.completionTokens()).isEqualTo(3));
        assertThat(flaky.streamsCut()).isEqualTo(1);
        assertThat(backup.calls()).isEqualTo(1);
    }

    @Test
    void whenTheClientGoesAwayTheUpstreamIsClosedNotDrained() throws Exception {
        flaky.chunks(500).fault(Fault.NONE.withChunkDelay(Duration.ofMillis(20)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json("model", "stream-model", "stream", true,
                        "messages", List.of(Map.of("role", "user", "content", "hi"))))).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int events = 0;
        while (events < 3) {
            String line = reader.readLine();
            assertThat(line).isNotNull();
            if (line.startsWith("data:")) {
                events++;
            }
        }
        response.body().close(); // the client goes away
        client.close();

        flaky.awaitStreamsAbortedByClient(1, Duration.ofSeconds(15));
        assertThat(flaky.streamsCompleted()).isZero();
        assertThat(backup.calls()).isZero();
        JsonNode row = logRow(requestId);
        assertThat(row.path("is_stream").asBoolean()).isTrue();
        assertThat(row.path("content").asString()).contains("client disconnected");
    }

    // ---- token checks and bad input -------------------------------------------------------------

    @Test
    void tokenChecks() {
        long past = Instant.now().getEpochSecond() - 100;
        assertError(call(token(json("name", "expired", "unlimited_quota", true, "expired_time", past))), 401, "token_expired");
        assertError(call(token(json("name", "exhausted", "remain_quota", 0))), 401, "token_exhausted");
        assertError(call("sk-" + "x".repeat(48)), 401, "invalid_api_key");
        assertError(gw.call("POST", "/v1/chat/completions", CHAT, null), 401, "invalid_api_key");

        String disabled = token(json("name", "disabled", "unlimited_quota", true));
        long id = gw.admin("GET", "/api/token/?page_size=100", null).data().path("items").get(0).path("id").asLong();
        assertThat(gw.admin("PUT", "/api/token/", json("id", id, "status", 2)).status()).isEqualTo(200);
        assertError(call(disabled), 401, "token_disabled");

        String limited = token(json("name", "limited", "unlimited_quota", true, "model_limits_enabled", true,
                "model_limits", "text-embedding-3-small"));
        assertError(call(limited), 403, "model_not_allowed");

        assertError(call(token(json("name", "far", "unlimited_quota", true, "allow_ips", "10.1.2.3"))), 403, "ip_not_allowed");
        assertThat(call(token(json("name", "near", "unlimited_quota", true, "allow_ips", "10.1.2.3, 127.0.0.0/8"))).status())
                .isEqualTo(200);
        // Also accepted: the key without sk- (x-api-key: TokenAuthenticatorTest).
        assertThat(gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key.substring(3)).status()).isEqualTo(200);
        assertThat(main.calls()).isEqualTo(2);
    }

    @Test
    void badRequests() {
        String big = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
        assertError(gw.call("POST", "/v1/chat/completions", big, "Bearer " + key), 413, "request_body_too_large");
        assertError(gw.call("POST", "/v1/chat/completions", "{\"model\": \"gpt-4o-mini\", ", "Bearer " + key), 400, "invalid_json");
        assertError(gw.call("POST", "/v1/chat/completions", "[]", "Bearer " + key), 400, "invalid_json");
        assertError(gw.call("POST", "/v1/chat/completions", json("messages", List.of()), "Bearer " + key), 400, "invalid_request");
        Answer noChannel = gw.call("POST", "/v1/chat/completions", json("model", "no-such-model", "messages", List.of()),
                "Bearer " + key);
        assertError(noChannel, 503, "model_not_found");
        assertThat(noChannel.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(main.calls()).isZero();
        JsonNode row = logRow(noChannel.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(row.path("type").asInt()).isEqualTo(5);
    }

    @Test
    void disablingATokenReachesAnotherInstanceWithinTheCacheBound() {
        String k = token(json("name", "two-instances", "unlimited_quota", true));
        long id = gw.admin("GET", "/api/token/?page_size=1", null).data().path("items").get(0).path("id").asLong();
        try (RunningGateway other = RunningGateway.start(db, "gateway.token-cache-ttl=1s", "gateway.cache-refresh=500ms")) {
            assertThat(other.call("POST", "/v1/chat/completions", CHAT, "Bearer " + k).status()).isEqualTo(200);

            // Options and channels written on one instance reach the other without restart.
            assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_retries", "value", "3")).status()).isEqualTo(200);
            var otherOptions = other.context().getBean(dev.creditgate.gateway.option.OptionService.class);
            String newModel = json("model", "late-model", "messages", List.of(Map.of("role", "user", "content", "hi")));
            assertThat(other.call("POST", "/v1/chat/completions", newModel, "Bearer " + k).status()).isEqualTo(503);
            channel("late", main, "late-model", 0, Map.of());
            RunningGateway.await(Duration.ofSeconds(5), () -> other.call("POST", "/v1/chat/completions", newModel, "Bearer " + k),
                    a -> a.status() == 200);
            assertThat(otherOptions.getLong("letaicode_retries", 1)).isEqualTo(3);

            assertThat(gw.admin("PUT", "/api/token/", json("id", id, "status", 2)).status()).isEqualTo(200);
            long t0 = System.nanoTime();
            RunningGateway.await(Duration.ofSeconds(5), () -> other.call("POST", "/v1/chat/completions", CHAT, "Bearer " + k),
                    a -> a.status() == 401);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void actuatorExposesHealthAndPrometheus() {
        assertThat(gw.call("GET", "/actuator/health", null, null).status()).isEqualTo(200);
        sdk.chat().completions().create(chat("gpt-4o-mini").build());
        Answer prometheus = gw.call("GET", "/actuator/prometheus", null, null);
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("gateway_relay_requests_total").contains("gateway_upstream_latency_seconds");
    }

    Answer call(String key) {
        return gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key);
    }

    static void assertError(Answer a, int status, String code) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        JsonNode error = a.json().path("error");
        assertThat(error.path("code").asString()).as(a.body()).isEqualTo(code);
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(error.has("type")).isTrue();
        assertThat(error.has("param")).isTrue();
    }

    JsonNode logRow(String requestId) {
        return RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/log/?request_id=" + requestId, null),
                a -> a.data().path("items").size() == 1).data().path("items").get(0);
    }
}
