package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.openai.client.OpenAIClient;
import com.openai.errors.PermissionDeniedException;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.LeavingClient;
import dev.creditgate.gateway.support.PricedGateway;
import dev.creditgate.gateway.support.PricedGateway.Token;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.SdkCalls;
import dev.creditgate.gateway.support.SdkCalls.SeenUsage;
import dev.creditgate.testkit.Fault;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Exact charges of NATIVE tokens (new-api's integer quota), through the official SDKs (Anthropic for messages, OpenAI
 * for chat completions and Responses), stream and non-stream, on H2; the log row of each ({@code quota},
 * {@code cost_usd}, {@code prompt_tokens} with the cache tokens in it, new-api's {@code other}).
 *
 * <ul>
 *   <li>Anthropic, {@value #CLAUDE} at new-api's defaults (ratio 1.5, completion 5, CacheRatio 0.1, CreateCacheRatio
 *       1.25): 100 input + 10,000 cache read + 1,000 cache write + 6 output = (100 + 1000 + 1250 + 30) x 1.5 = 3570
 *       (16,695 when the cache was priced as input); the write with the 1-hour lifetime: (100 + 1000 + 2000 + 30) x 1.5
 *       = 4695;</li>
 *   <li>OpenAI chat and Responses, {@value #CACHED} (ratio 1, completion 4, CacheRatio 0.5): 11,100 prompt of which
 *       10,000 cached, 6 completion = 1100 + 5000 + 24 = 6124 (was 11,124);</li>
 *   <li>{@code ModelPrice} 0.000123 USD: 61.5 quota, charged 62 (new-api's rounding); 8e-8 USD: 0;</li>
 *   <li>a whole answer whose client left before it was written is charged its usage; a stream the client left,
 *       what was delivered;</li>
 *   <li>{@code native_output_cap}: {@code clamp} lowers the limit sent upstream to what the quota affords (the quota
 *       ends at exactly 0, never below), {@code refuse} answers 403 naming the affordable output.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactChargesIT {

    static final String CLAUDE = "claude-sonnet-4-5-20250929";
    static final String CACHED = "cached-model";
    static final String TINY = "tiny-price";
    static final String TINIER = "tinier-price";
    static final long START = 1_000_000;

    PricedGateway g;
    MockUpstream mock;
    final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        mock = MockUpstream.start();
        g = new PricedGateway(CACHED);
        // An option value replaces new-api's whole map: keep the defaults (Claude's 1.5) and add the test models.
        option(PricingConfig.MODEL_RATIO, SdkCalls.defaultsWith(PricingConfig.MODEL_RATIO, Map.of(CACHED, "1")));
        option(PricingConfig.COMPLETION_RATIO,
                SdkCalls.defaultsWith(PricingConfig.COMPLETION_RATIO, Map.of(CACHED, "4")));
        option(PricingConfig.MODEL_PRICE, SdkCalls.defaultsWith(PricingConfig.MODEL_PRICE,
                Map.of(TINY, "0.000123", TINIER, "0.00000008")));
        g.channel("claude", "anthropic", mock.baseUrl(), "sk-ant-upstream", CLAUDE, 0);
        g.channel("openai", "openai", mock.baseUrl(), "sk-openai-upstream", String.join(",", CACHED, TINY, TINIER), 0);
    }

    @BeforeEach
    void reset() {
        mock.reset();
        option(PricingConfig.CACHE_RATIO, SdkCalls.defaults(PricingConfig.CACHE_RATIO));
        option("native_output_cap", "off");
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

    void option(String key, String value) {
        PricedGateway.ok(g.gw().admin("PUT", "/api/option/", json("key", key, "value", value)));
    }

    AnthropicClient anthropic(Token t) {
        AnthropicClient c = SdkCalls.anthropic(g.baseUrl(), t.key());
        clients.add(c::close);
        return c;
    }

    OpenAIClient openai(Token t) {
        OpenAIClient c = SdkCalls.openai(g.baseUrl(), t.key());
        clients.add(c::close);
        return c;
    }

    // ---- a) Anthropic cache reads and writes --------------------------------------------------------------

    @ParameterizedTest(name = "stream {0}, 1-hour cache write {1}")
    @CsvSource({"false, false, 3570, 0.00714", "true, false, 3570, 0.00714",
            "false, true, 4695, 0.00939", "true, true, 4695, 0.00939"})
    void anthropicCacheTokensArePricedWithCacheRatioAndCreateCacheRatio(boolean stream, boolean oneHour, long quota,
                                                                       String usd) {
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, oneHour ? 0 : 1_000, oneHour ? 1_000 : 0);

        SeenUsage seen = SdkCalls.messages(anthropic(t), CLAUDE, 1024, stream);

        assertThat(seen).isEqualTo(new SeenUsage(100, 10_000, 6)); // relayed as the upstream reported it
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("model_name").asString()).isEqualTo(CLAUDE);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(row.path("quota").asLong()).isEqualTo(quota);
        assertThat(row.path("cost_usd").asString()).isEqualTo(usd);
        JsonNode other = other(row);
        assertThat(other.path("model_ratio").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(other.path("group_ratio").decimalValue()).isEqualByComparingTo("1");
        assertThat(other.path("completion_ratio").decimalValue()).isEqualByComparingTo("5");
        assertThat(other.path("model_price").decimalValue()).isEqualByComparingTo("-1");
        assertThat(other.path("cache_tokens").asLong()).isEqualTo(10_000);
        assertThat(other.path("cache_ratio").decimalValue()).isEqualByComparingTo("0.1");
        assertThat(other.path("cache_creation_tokens").asLong()).isEqualTo(1_000);
        assertThat(other.path("cache_creation_tokens_5m").asLong()).isEqualTo(oneHour ? 0 : 1_000);
        assertThat(other.path("cache_creation_tokens_1h").asLong()).isEqualTo(oneHour ? 1_000 : 0);
        assertThat(other.path("cache_creation_ratio").decimalValue()).isEqualByComparingTo("1.25");
        assertThat(other.path("cache_creation_ratio_5m").decimalValue()).isEqualByComparingTo("1.25");
        assertThat(other.path("cache_creation_ratio_1h").decimalValue()).isEqualByComparingTo("2");
        assertThat(other.has("output_limit")).as("native_output_cap off: the request went upstream as sent").isFalse();
        assertThat(mock.lastRequest().json().path("max_tokens").asLong()).isEqualTo(1024);
        assertThat(g.userQuota(t)).isEqualTo(START - quota);
    }

    // ---- b) OpenAI cached prompt tokens -------------------------------------------------------------------

    @ParameterizedTest(name = "{0}, stream {1}")
    @CsvSource({"chat, false", "chat, true", "chat-usage-hidden, true", "responses, false", "responses, true"})
    void openAiCachedTokensArePricedWithCacheRatio(String api, boolean stream) {
        option(PricingConfig.CACHE_RATIO, "{\"" + CACHED + "\":0.5}");
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, 0, 0);

        switch (api) {
            case "chat" -> assertThat(SdkCalls.chat(openai(t), CACHED, null, stream))
                    .isEqualTo(new SeenUsage(11_100, 10_000, 6));
            case "responses" -> assertThat(SdkCalls.responses(openai(t), CACHED, null, stream))
                    .isEqualTo(new SeenUsage(11_100, 10_000, 6));
            default -> { // the client did not ask for usage: charged from the usage chunk the gateway hid
                assertThat(SdkCalls.chatStreamWithoutUsage(openai(t), CACHED))
                        .isEqualTo(Map.entry(0, MockUpstream.DEFAULT_TEXT));
                assertThat(mock.lastRequest().json().path("stream_options").path("include_usage").asBoolean())
                        .isTrue();
            }
        }
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(row.path("quota").asLong()).isEqualTo(6124);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.012248");
        JsonNode other = other(row);
        assertThat(other.path("model_ratio").decimalValue()).isEqualByComparingTo("1");
        assertThat(other.path("completion_ratio").decimalValue()).isEqualByComparingTo("4");
        assertThat(other.path("cache_tokens").asLong()).isEqualTo(10_000);
        assertThat(other.path("cache_ratio").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(other.path("cache_creation_tokens").asLong()).isEqualTo(0);
        assertThat(g.userQuota(t)).isEqualTo(START - 6124);
    }

    // ---- c) fixed prices below one quota unit: new-api's integer quota --------------------------------------

    @ParameterizedTest(name = "ModelPrice {1} USD")
    @CsvSource({TINY + ", 0.000123, 62, 0.000124", TINIER + ", 0.00000008, 0, 0"})
    void nativeTokensKeepNewApisIntegerQuotaForTinyPrices(String model, String price, long quota, String usd) {
        Token t = g.userWithToken(START);
        mock.usage(40, 6);

        SdkCalls.chat(openai(t), model, null, false);

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("quota").asLong()).isEqualTo(quota); // 0.000123 x 500,000 = 61.5 -> 62; 0.04 -> 0
        assertThat(row.path("cost_usd").asString()).isEqualTo(usd); // the quota's USD: 62 / 500,000
        assertThat(other(row).path("model_price").decimalValue()).isEqualByComparingTo(price);
        assertThat(g.userQuota(t)).isEqualTo(START - quota);
    }

    // ---- e) the client goes away ----------------------------------------------------------------------------

    @Test
    void aWholeAnswerWhoseClientLeftBeforeItWasWrittenIsChargedItsUsage() throws Exception {
        option(PricingConfig.CACHE_RATIO, "{\"" + CACHED + "\":0.5}");
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, 0, 0).faultNext(1, Fault.NONE.withDelay(Duration.ofSeconds(1)));
        LeavingClient.postThenLeave(g.baseUrl(), "/v1/chat/completions", "Bearer " + t.key(),
                json("model", CACHED, "messages", List.of(Map.of("role", "user", "content", "hi"))),
                () -> mock.awaitCalls(1, Duration.ofSeconds(10))); // left while the gateway waits for the answer

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("content").asString()).contains("client disconnected");
        assertThat(row.path("is_stream").asBoolean()).isFalse();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(row.path("quota").asLong()).isEqualTo(6124);
        assertThat(g.userQuota(t)).isEqualTo(START - 6124);
    }

    @Test
    void aStreamWhoseClientLeftIsChargedWhatWasDelivered() throws Exception {
        Token t = g.userWithToken(START);
        mock.usage(11_100, 500).chunks(500).cacheTokens(10_000, 1_000, 0)
                .fault(Fault.NONE.withChunkDelay(Duration.ofMillis(20)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(g.baseUrl() + "/v1/messages"))
                .header("x-api-key", t.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json("model", CLAUDE, "stream", true, "max_tokens", 1000,
                        "messages", List.of(Map.of("role", "user", "content", "hi")))))
                .build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        for (int deltas = 0; deltas < 3; ) {
            String line = reader.readLine();
            assertThat(line).isNotNull();
            if (line.startsWith("data:") && line.contains("text_delta")) {
                deltas++;
            }
        }
        response.body().close();
        client.close();

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("content").asString()).contains("client disconnected");
        int completion = row.path("completion_tokens").asInt();
        assertThat(completion).isPositive().isLessThan(500);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        // the cached prompt (100 + 10,000 x 0.1 + 1,000 x 1.25) and the delivered output at 5, x 1.5, half up
        long expected = BigDecimal.valueOf(2_350 + 5L * completion).multiply(new BigDecimal("1.5"))
                .setScale(0, RoundingMode.HALF_UP).longValueExact();
        assertThat(row.path("quota").asLong()).isEqualTo(expected);
        assertThat(g.userQuota(t)).isEqualTo(START - expected);
    }

    // ---- f) native_output_cap -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({"chat, max_completion_tokens, 2500", "responses, max_output_tokens, 2500", "messages, max_tokens, 4500"})
    void clampLowersTheLimitSentUpstreamToWhatTheQuotaAffords(String api, String field, long quota) {
        option("native_output_cap", "clamp");
        // 1000 output tokens of cached-model: (500 + 1000 x 4) = 4500 quota; 2500 afford (2500 - 500) / 4 = 500.
        // Claude: (500 + 1000 x 5) x 1.5 = 8250; 4500 afford (4500 / 1.5 - 500) / 5 = 500.
        Token t = g.userWithToken(quota);
        mock.answerAtOutputLimit(true).usage(500, 1); // the whole limit, and a prompt of 500: exactly all the quota

        SeenUsage seen = switch (api) {
            case "chat" -> SdkCalls.chat(openai(t), CACHED, 1000L, false);
            case "responses" -> SdkCalls.responses(openai(t), CACHED, 1000L, false);
            default -> SdkCalls.messages(anthropic(t), CLAUDE, 1000, false);
        };

        assertThat(seen.output()).isEqualTo(500);
        assertThat(mock.lastRequest().json().path(field).asLong()).isEqualTo(500);
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("quota").asLong()).isEqualTo(quota);
        assertThat(other(row).path("output_limit").asLong()).isEqualTo(500);
        assertThat(row.path("content").asString()).contains("output limit 500");
        assertThat(g.userQuota(t)).isEqualTo(0);
    }

    @ParameterizedTest(name = "{0}, quota {1}")
    @CsvSource(delimiter = '|', value = {
            "refuse | 2500 | remaining: 2500, need: 4500 (quota units, 500000 = 1 USD); the credit affords 500 of 1000 output tokens",
            "clamp  | 1000 | remaining: 1000, need: 4500 (quota units, 500000 = 1 USD); the credit affords 125 of 1000 output tokens (minimum 256)"})
    void refusedWith403NamingTheAffordableOutput(String cap, long quota, String message) {
        option("native_output_cap", cap);
        Token t = g.userWithToken(quota);

        assertThatThrownBy(() -> SdkCalls.chat(openai(t), CACHED, 1000L, false))
                .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.code()).contains("insufficient_user_quota");
                    assertThat(e.getMessage()).endsWith("user quota insufficient, " + message);
                });
        assertThat(mock.calls()).isEqualTo(0);
        assertThat(g.userQuota(t)).isEqualTo(quota);
    }

    static JsonNode other(JsonNode row) {
        return RunningGateway.JSON.readTree(row.path("other").asString());
    }
}
