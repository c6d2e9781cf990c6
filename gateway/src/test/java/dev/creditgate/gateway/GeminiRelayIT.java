package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.genai.Client;
import com.google.genai.errors.ApiException;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.GeminiSdk;
import dev.creditgate.gateway.support.GeminiSdk.Seen;
import dev.creditgate.gateway.support.PricedGateway;
import dev.creditgate.gateway.support.PricedGateway.Token;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.testkit.MockUpstream;
import dev.creditgate.testkit.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The Gemini route ({@code /v1beta/models/{model}:generateContent}, {@code :streamGenerateContent?alt=sse}, the same
 * under {@code /v1/models/}) through the official Google Gen AI Java SDK to a {@code gemini} channel on the mock, billed
 * for a NATIVE token on H2.
 *
 * <p>Prices: {@value #MODEL} has model ratio 1, completion ratio 4 and CacheRatio 0.5. The mock reports 11,100 prompt
 * tokens of which 10,000 cached, 6 candidates and 20 thoughts tokens: thoughts are output (new-api), so 26 completion
 * tokens; quota = (1,100 + 10,000 x 0.5 + 26 x 4) x 1 = 6,204 (0.012408 USD).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeminiRelayIT {

    static final String MODEL = "gemini-test";
    static final String MAPPED = "gemini-mapped";
    static final String OPENAI_ONLY = "gpt-only";
    static final String TWO_CHANNELS = "gemini-two";
    static final long START = 1_000_000;

    PricedGateway g;
    MockUpstream mock;
    final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        mock = MockUpstream.start();
        g = new PricedGateway(MODEL, MAPPED, OPENAI_ONLY, TWO_CHANNELS);
        PricedGateway.ok(g.gw().admin("PUT", "/api/option/", json("key", PricingConfig.CACHE_RATIO,
                "value", "{\"" + MODEL + "\":0.5}")));
        g.channel("gemini", "gemini", mock.baseUrl(), "upstream-goog-key", MODEL, 0);
        PricedGateway.ok(g.gw().admin("POST", "/api/channel/", json("name", "mapped", "type", "24",
                "base_url", mock.baseUrl() + "/v1beta", "key", "upstream-goog-key", "models", MAPPED,
                "model_mapping", Map.of(MAPPED, "gemini-2.5-flash"))));
        g.channel("openai", "openai", mock.baseUrl(), "sk-openai-upstream", OPENAI_ONLY, 0);
        g.channel("gemini-high", "gemini", mock.baseUrl(), "upstream-goog-key", TWO_CHANNELS, 10);
        g.channel("gemini-low", "gemini", mock.baseUrl(), "upstream-goog-key", TWO_CHANNELS, 0);
    }

    @BeforeEach
    void reset() {
        mock.reset();
        mock.apiKey("upstream-goog-key");
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        clients.clear();
    }

    @AfterAll
    void stop() {
        if (g != null) {
            g.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    Client sdk(Token t) {
        Client c = GeminiSdk.client(g.baseUrl(), t.key());
        clients.add(c);
        return c;
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void sdkGeneratesThroughTheGatewayBilledWithCachedAndThoughtsTokens(boolean stream) {
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, 0, 0).thoughtsTokens(20);

        Seen seen = GeminiSdk.generate(sdk(t), MODEL, stream);

        assertThat(seen).isEqualTo(new Seen(MockUpstream.DEFAULT_TEXT, 11_100, 10_000, 6, 20));
        RecordedRequest upstream = mock.lastRequest();
        assertThat(upstream.path()).isEqualTo("/v1beta/models/" + MODEL
                + (stream ? ":streamGenerateContent" : ":generateContent"));
        assertThat(upstream.query()).isEqualTo(stream ? "alt=sse" : null);
        assertThat(upstream.header("x-goog-api-key")).isEqualTo("upstream-goog-key");
        assertThat(upstream.json().path("contents").path(0).path("parts").path(0).path("text").asString())
                .isEqualTo("Say hello to the gateway.");
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("model_name").asString()).isEqualTo(MODEL);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(26);
        assertThat(row.path("quota").asLong()).isEqualTo(6_204);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.012408");
        JsonNode other = RunningGateway.JSON.readTree(row.path("other").asString());
        assertThat(other.path("cache_tokens").asLong()).isEqualTo(10_000);
        assertThat(other.path("cache_ratio").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(g.userQuota(t)).isEqualTo(START - 6_204);
    }

    @Test
    void withoutUpstreamUsageTheDeliveredTextIsCharged() {
        Token t = g.userWithToken(START);
        mock.faultNext(1, dev.creditgate.testkit.Fault.NONE.withoutUsage());

        Client sdk = sdk(t);
        assertThat(sdk.models.generateContent(MODEL, "Say hello to the gateway.", null).text())
                .isEqualTo(MockUpstream.DEFAULT_TEXT);

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("completion_tokens").asInt()).as("the delivered text, counted").isPositive();
        assertThat(row.path("quota").asLong()).isEqualTo(PricedGateway.quota(row.path("prompt_tokens").asLong(),
                row.path("completion_tokens").asLong()));
    }

    @Test
    void v1PathKeyInQueryModelMappingAndOutputLimit() throws Exception {
        Token t = g.userWithToken(START);
        mock.usage(10, 3);

        HttpResponse<String> answer = post("/v1/models/" + MAPPED + ":generateContent?key=" + t.key(), null,
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
                        + "\"generationConfig\":{\"maxOutputTokens\":2}}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = RunningGateway.JSON.readTree(answer.body());
        assertThat(body.path("candidates").path(0).path("finishReason").asString()).isEqualTo("MAX_TOKENS");
        assertThat(body.path("candidates").path(0).path("content").path("parts").path(0).path("text").asString())
                .isEqualTo("Hello from");
        RecordedRequest upstream = mock.lastRequest();
        assertThat(upstream.path()).as("the channel's base_url ended in /v1beta; the model mapped")
                .isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(upstream.query()).as("the client's key stays here").isNull();
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("model_name").asString()).isEqualTo(MAPPED);
        assertThat(row.toString()).as("the key of the query is in no log").doesNotContain(t.key().substring(3));
        assertThat(row.path("quota").asLong()).isEqualTo(PricedGateway.quota(10, 3));
    }

    @Test
    void streamWithoutAltSseIsOneJsonArray() throws Exception {
        Token t = g.userWithToken(START);
        mock.usage(10, 3);

        HttpResponse<String> answer = post("/v1beta/models/" + MODEL + ":streamGenerateContent", t.key(),
                "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode chunks = RunningGateway.JSON.readTree(answer.body());
        assertThat(chunks.isArray()).isTrue();
        assertThat(chunks.size()).isEqualTo(5);
        assertThat(mock.lastRequest().query()).isNull();
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("is_stream").asBoolean()).isTrue();
        assertThat(row.path("quota").asLong()).isEqualTo(PricedGateway.quota(10, 3));
    }

    @Test
    void a503FailsOverToTheNextGeminiChannelBeforeAnyByte() {
        Token t = g.userWithToken(START);
        mock.usage(10, 3).failNext(1, 503);

        Seen seen = GeminiSdk.generate(sdk(t), TWO_CHANNELS, true);

        assertThat(seen.text()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(mock.calls()).isEqualTo(2);
        JsonNode row = g.consumeRows(t, 1).getFirst();
        long low = -1;
        for (JsonNode c : PricedGateway.ok(g.gw().admin("GET", "/api/channel/?page_size=100", null)).data()
                .path("items")) {
            if (c.path("name").asString().equals("gemini-low")) {
                low = c.path("id").asLong();
            }
        }
        assertThat(row.path("channel").asLong()).as("the lower tier answered").isEqualTo(low);
        assertThat(row.path("quota").asLong()).isEqualTo(PricedGateway.quota(10, 3));
    }

    @Test
    void aStreamWhoseClientLeftIsChargedWhatWasDelivered() throws Exception {
        Token t = g.userWithToken(START);
        mock.usage(40, 500).chunks(500).fault(dev.creditgate.testkit.Fault.NONE.withChunkDelay(Duration.ofMillis(20)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(g.baseUrl() + "/v1beta/models/" + MODEL
                        + ":streamGenerateContent?alt=sse"))
                .header("x-goog-api-key", t.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}"))
                .build();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<java.io.InputStream> response = http.send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(),
                    java.nio.charset.StandardCharsets.UTF_8));
            for (int chunks = 0; chunks < 3; ) {
                String line = reader.readLine();
                assertThat(line).isNotNull();
                if (line.startsWith("data:")) {
                    chunks++;
                }
            }
            response.body().close();
        }

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("content").asString()).contains("client disconnected");
        int completion = row.path("completion_tokens").asInt();
        assertThat(completion).as("the delivered text, not the 500 of the whole answer").isPositive().isLessThan(500);
        assertThat(row.path("prompt_tokens").asInt()).as("from the chunks' usageMetadata").isEqualTo(40);
        assertThat(row.path("quota").asLong()).isEqualTo(PricedGateway.quota(40, completion));
        mock.awaitStreamsAbortedByClient(1, Duration.ofSeconds(10));
    }

    @Test
    void countTokensIsCountedByTheGatewayAndNeverChargedOrLogged() {
        Token t = g.userWithToken(START);
        long calls = mock.calls();

        var counted = sdk(t).models.countTokens(MODEL, "Say hello to the gateway.", null);

        assertThat(counted.totalTokens()).contains(dev.creditgate.gateway.pricing.TokenCounter.shared()
                .countText(MODEL, "Say hello to the gateway."));
        assertThat(mock.calls()).as("not forwarded").isEqualTo(calls);
        assertThatThrownBy(() -> sdk(new Token(0, "sk-not-a-key", 0)).models.countTokens(MODEL, "x", null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(401));
        assertThat(g.gw().admin("GET", "/api/log/?token_id=" + t.id(), null).data().path("total").asLong())
                .isZero();
        assertThat(g.userQuota(t)).isEqualTo(START);
    }

    @Test
    void errorsComeInGooglesShapeAndChargeNothing() throws Exception {
        Token t = g.userWithToken(START);

        assertThatThrownBy(() -> GeminiSdk.generate(sdk(new Token(0, "sk-not-a-key", 0)), MODEL, false))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(401);
                    assertThat(e.status()).isEqualTo("UNAUTHENTICATED");
                });
        assertThatThrownBy(() -> GeminiSdk.generate(sdk(t), OPENAI_ONLY, false))
                .as("a model served only by an openai channel is not served on the Gemini route")
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(503);
                    assertThat(e.status()).isEqualTo("UNAVAILABLE");
                    assertThat(e.message()).contains(OPENAI_ONLY);
                });
        mock.failNext(1, 429);
        assertThatThrownBy(() -> GeminiSdk.generate(sdk(t), MODEL, true))
                .as("the upstream's error passes through")
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(429);
                    assertThat(e.status()).isEqualTo("RESOURCE_EXHAUSTED");
                });

        HttpResponse<String> badJson = post("/v1beta/models/" + MODEL + ":generateContent", t.key(), "{\"contents\":");
        assertThat(badJson.statusCode()).isEqualTo(400);
        JsonNode error = RunningGateway.JSON.readTree(badJson.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(400);
        assertThat(error.path("status").asString()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.path("message").asString()).startsWith("malformed JSON body");

        HttpResponse<String> badModel = post("/v1beta/models/a%2F..%2Fb:generateContent", t.key(), "{}");
        assertThat(badModel.statusCode()).as(badModel.body()).isIn(400, 404);
        HttpResponse<String> badMethod = post("/v1beta/models/" + MODEL + ":embedText", t.key(), "{}");
        assertThat(badMethod.statusCode()).isEqualTo(404);
        assertThat(RunningGateway.JSON.readTree(badMethod.body()).path("error").path("status").asString())
                .isEqualTo("NOT_FOUND");

        assertThat(g.errorRows(t, 2)).as("no channel (503), the upstream's 429").anySatisfy(
                row -> assertThat(row.path("content").asString()).contains("HTTP 429"));
        assertThat(g.userQuota(t)).isEqualTo(START);
    }

    private HttpResponse<String> post(String path, String googKey, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (googKey != null) {
            b.header("x-goog-api-key", googKey);
        }
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
