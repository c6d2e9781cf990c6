package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.CrossFormatCalls;
import dev.creditgate.gateway.support.PricedGateway;
import dev.creditgate.gateway.support.PricedGateway.Token;
import dev.creditgate.gateway.support.SdkCalls;
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
 * Cross-format relay with NATIVE tokens, through the official SDKs against the mock upstream: the Anthropic SDK on
 * {@code /v1/messages} served by an {@code openai} channel, the OpenAI SDK on {@code /v1/chat/completions} served by an
 * {@code anthropic} channel; stream and non-stream, tool round trips, upstream errors in the client's shape, the
 * native channel preferred; each call billed from the upstream's own usage (model ratio 1, completion ratio 4):
 * <ul>
 *   <li>{@value #GPT} (openai): 11,100 prompt tokens of which 10,000 cached (CacheRatio 0.5), 6 completion =
 *       1100 + 5000 + 24 = 6124; the Anthropic client sees input 1100, cache read 10,000, output 6;</li>
 *   <li>{@value #CLAUDE} (anthropic): 100 input + 10,000 cache reads (CacheRatio 0.1) + 1,000 cache writes
 *       (CreateCacheRatio 1.25) + 6 output = 100 + 1000 + 1250 + 24 = 2374; the OpenAI client sees prompt 11,100,
 *       cached 10,000, completion 6.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossFormatRelayIT {

    static final String GPT = "gpt-cross";
    static final String CLAUDE = "claude-cross";
    static final String DUAL = "dual-model";
    static final long START = 1_000_000;

    PricedGateway g;
    MockUpstream mock;
    final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        mock = MockUpstream.start();
        g = new PricedGateway(GPT, CLAUDE, DUAL);
        PricedGateway.ok(g.gw().admin("PUT", "/api/option/", json("key", PricingConfig.CACHE_RATIO,
                "value", "{\"" + GPT + "\":0.5,\"" + CLAUDE + "\":0.1}")));
        g.channel("openai-only", "openai", mock.baseUrl(), "sk-openai-upstream", GPT + "," + DUAL, 0);
        g.channel("anthropic-only", "anthropic", mock.baseUrl(), "sk-ant-upstream", CLAUDE + "," + DUAL, 0);
    }

    @BeforeEach
    void reset() {
        mock.reset();
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

    // ---- /v1/messages through an openai channel ------------------------------------------------------------

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void anthropicSdkThroughAnOpenAiChannelIsBilledFromTheOpenAiUsage(boolean stream) {
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, 0, 0);

        Message m = CrossFormatCalls.messages(anthropic(t), GPT, stream, false);

        assertThat(m.content()).singleElement().satisfies(b -> assertThat(b.asText().text())
                .isEqualTo(MockUpstream.DEFAULT_TEXT));
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isEqualTo(1_100);
        assertThat(m.usage().cacheReadInputTokens()).contains(10_000L);
        assertThat(m.usage().outputTokens()).isEqualTo(6);
        RecordedRequest up = mock.lastRequest();
        assertThat(up.path()).isEqualTo("/v1/chat/completions");
        assertThat(up.header("authorization")).isEqualTo("Bearer sk-openai-upstream");
        JsonNode body = up.json();
        assertThat(body.path("messages").path(0).path("role").asString()).isEqualTo("system");
        assertThat(body.path("messages").path(0).path("content").asString()).isEqualTo("You are a careful assistant.");
        assertThat(body.path("messages").path(1).path("content").asString()).isEqualTo("What is the weather in Paris?");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(1024);
        assertThat(body.path("stream").asBoolean()).isEqualTo(stream);
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isEqualTo(stream);
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("model_name").asString()).isEqualTo(GPT);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(row.path("quota").asLong()).isEqualTo(6124);
        assertThat(g.userQuota(t)).isEqualTo(START - 6124);
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void anthropicToolRoundTripThroughAnOpenAiChannel(boolean stream) {
        Token t = g.userWithToken(START);
        mock.usage(50, 7).toolCall(CrossFormatCalls.TOOL, CrossFormatCalls.ARGUMENTS);

        List<Message> turns = CrossFormatCalls.messagesToolRoundTrip(anthropic(t), GPT, stream);

        Message first = turns.get(0);
        assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
        var use = first.content().stream().filter(b -> b.isToolUse()).findFirst().orElseThrow().asToolUse();
        assertThat(use.name()).isEqualTo(CrossFormatCalls.TOOL);
        assertThat(use.id()).startsWith("call_");
        assertThat(use._input().convert(java.util.Map.class)).isEqualTo(java.util.Map.of("city", "Paris"));
        Message second = turns.get(1);
        assertThat(second.stopReason()).contains(StopReason.END_TURN);
        assertThat(second.content().getFirst().asText().text()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        // the second upstream request carries the call and its result in OpenAI's form
        JsonNode body = mock.lastRequest().json();
        JsonNode tools = body.path("tools");
        assertThat(tools.path(0).path("type").asString()).isEqualTo("function");
        assertThat(tools.path(0).path("function").path("name").asString()).isEqualTo(CrossFormatCalls.TOOL);
        assertThat(tools.path(0).path("function").path("parameters").path("properties").path("city")
                .path("type").asString()).isEqualTo("string");
        JsonNode messages = body.path("messages");
        assertThat(messages.size()).isEqualTo(4);
        JsonNode assistant = messages.path(2);
        assertThat(assistant.path("role").asString()).isEqualTo("assistant");
        assertThat(assistant.path("content").asString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(assistant.path("tool_calls").path(0).path("id").asString()).isEqualTo(use.id());
        assertThat(assistant.path("tool_calls").path(0).path("function").path("name").asString())
                .isEqualTo(CrossFormatCalls.TOOL);
        assertThat(dev.creditgate.gateway.support.RunningGateway.JSON.readTree(assistant.path("tool_calls").path(0).path("function").path("arguments")
                .asString())).isEqualTo(dev.creditgate.gateway.support.RunningGateway.JSON.readTree(CrossFormatCalls.ARGUMENTS));
        assertThat(messages.path(3).path("role").asString()).isEqualTo("tool");
        assertThat(messages.path(3).path("tool_call_id").asString()).isEqualTo(use.id());
        assertThat(messages.path(3).path("content").asString()).isEqualTo(CrossFormatCalls.RESULT);
        List<JsonNode> rows = g.consumeRows(t, 2);
        assertThat(rows).allSatisfy(r -> assertThat(r.path("quota").asLong()).isEqualTo(50 + 7 * 4));
        assertThat(g.userQuota(t)).isEqualTo(START - 2 * (50 + 7 * 4));
    }

    @Test
    void upstreamErrorOfAnOpenAiChannelReachesTheAnthropicClientInAnthropicsShape() {
        Token t = g.userWithToken(START);
        mock.failNext(1, 401);

        assertThatThrownBy(() -> CrossFormatCalls.messages(anthropic(t), GPT, false, false))
                .isInstanceOf(UnauthorizedException.class)
                .hasMessageContaining("Incorrect API key provided");
        var raw = g.gw().call("POST", "/v1/messages", json("model", GPT, "max_tokens", 10, "messages",
                List.of(java.util.Map.of("role", "user", "content", "hi"))), "Bearer " + t.key());
        assertThat(raw.status()).isEqualTo(200); // the fault was for one call only
        mock.failNext(1, 400);
        var bad = g.gw().call("POST", "/v1/messages", json("model", GPT, "max_tokens", 10, "messages",
                List.of(java.util.Map.of("role", "user", "content", "hi"))), "Bearer " + t.key());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("type").asString()).isEqualTo("error");
        assertThat(bad.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(bad.json().path("error").path("message").asString()).isEqualTo("Bad request.");
        assertThat(g.userQuota(t)).isEqualTo(START - g.consumeRows(t, 1).getFirst().path("quota").asLong());
    }

    // ---- /v1/chat/completions through an anthropic channel -------------------------------------------------

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void openAiSdkThroughAnAnthropicChannelIsBilledFromTheAnthropicUsage(boolean stream) {
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, 1_000, 0);

        ChatCompletion c = CrossFormatCalls.chat(openai(t), CLAUDE, stream, false);

        assertThat(c.choices().getFirst().message().content()).contains(MockUpstream.DEFAULT_TEXT);
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        var u = c.usage().orElseThrow();
        assertThat(u.promptTokens()).isEqualTo(11_100);
        assertThat(u.promptTokensDetails().orElseThrow().cachedTokens()).contains(10_000L);
        assertThat(u.completionTokens()).isEqualTo(6);
        assertThat(u.totalTokens()).isEqualTo(11_106);
        RecordedRequest up = mock.lastRequest();
        assertThat(up.path()).isEqualTo("/v1/messages");
        assertThat(up.header("x-api-key")).isEqualTo("sk-ant-upstream");
        assertThat(up.header("anthropic-version")).isEqualTo("2023-06-01");
        JsonNode body = up.json();
        assertThat(body.path("system").asString()).isEqualTo("You are a careful assistant.");
        assertThat(body.path("messages").size()).isEqualTo(1);
        assertThat(body.path("messages").path(0).path("content").path(0).path("text").asString())
                .isEqualTo("What is the weather in Paris?");
        assertThat(body.path("max_tokens").asInt()).as("Anthropic requires it; none asked").isEqualTo(4096);
        assertThat(body.has("stream_options")).isFalse();
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("model_name").asString()).isEqualTo(CLAUDE);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(row.path("quota").asLong()).isEqualTo(2374);
        assertThat(g.userQuota(t)).isEqualTo(START - 2374);
    }

    @Test
    void aStreamWithoutIncludeUsageGetsNoUsageChunkButIsBilled() {
        Token t = g.userWithToken(START);
        mock.usage(11_100, 6).cacheTokens(10_000, 1_000, 0);

        assertThat(SdkCalls.chatStreamWithoutUsage(openai(t), CLAUDE))
                .isEqualTo(java.util.Map.entry(0, MockUpstream.DEFAULT_TEXT));
        assertThat(g.consumeRows(t, 1).getFirst().path("quota").asLong()).isEqualTo(2374);
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void openAiToolRoundTripThroughAnAnthropicChannel(boolean stream) {
        Token t = g.userWithToken(START);
        mock.usage(50, 7).toolCall(CrossFormatCalls.TOOL, CrossFormatCalls.ARGUMENTS);

        List<ChatCompletion> turns = CrossFormatCalls.chatToolRoundTrip(openai(t), CLAUDE, stream);

        var first = turns.get(0).choices().getFirst();
        assertThat(first.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        var call = first.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.id()).startsWith("toolu_");
        assertThat(call.function().name()).isEqualTo(CrossFormatCalls.TOOL);
        assertThat(dev.creditgate.gateway.support.RunningGateway.JSON.readTree(call.function().arguments()))
                .isEqualTo(dev.creditgate.gateway.support.RunningGateway.JSON.readTree(CrossFormatCalls.ARGUMENTS));
        var second = turns.get(1).choices().getFirst();
        assertThat(second.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(second.message().content()).contains(MockUpstream.DEFAULT_TEXT);
        JsonNode body = mock.lastRequest().json();
        assertThat(body.path("tools").path(0).path("name").asString()).isEqualTo(CrossFormatCalls.TOOL);
        assertThat(body.path("tools").path(0).path("input_schema").path("type").asString()).isEqualTo("object");
        JsonNode messages = body.path("messages");
        assertThat(messages.size()).isEqualTo(3);
        JsonNode assistant = messages.path(1);
        assertThat(assistant.path("role").asString()).isEqualTo("assistant");
        assertThat(assistant.path("content").path(0).path("text").asString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(assistant.path("content").path(1).path("type").asString()).isEqualTo("tool_use");
        assertThat(assistant.path("content").path(1).path("id").asString()).isEqualTo(call.id());
        assertThat(assistant.path("content").path(1).path("input").path("city").asString()).isEqualTo("Paris");
        JsonNode result = messages.path(2).path("content").path(0);
        assertThat(messages.path(2).path("role").asString()).isEqualTo("user");
        assertThat(result.path("type").asString()).isEqualTo("tool_result");
        assertThat(result.path("tool_use_id").asString()).isEqualTo(call.id());
        assertThat(result.path("content").asString()).isEqualTo(CrossFormatCalls.RESULT);
        List<JsonNode> rows = g.consumeRows(t, 2);
        assertThat(rows).allSatisfy(r -> assertThat(r.path("quota").asLong()).isEqualTo(50 + 7 * 4));
    }

    @Test
    void upstreamErrorOfAnAnthropicChannelReachesTheOpenAiClientInOpenAisShape() {
        Token t = g.userWithToken(START);
        mock.failNext(1, 400);

        assertThatThrownBy(() -> CrossFormatCalls.chat(openai(t), CLAUDE, false, false))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("Bad request.");
        mock.failNext(1, 401);
        var raw = g.gw().call("POST", "/v1/chat/completions", json("model", CLAUDE, "messages",
                List.of(java.util.Map.of("role", "user", "content", "hi"))), "Bearer " + t.key());
        assertThat(raw.status()).isEqualTo(401);
        assertThat(raw.json().path("error").path("type").asString()).isEqualTo("authentication_error");
        assertThat(raw.json().path("error").path("message").asString()).isEqualTo("invalid x-api-key");
        assertThat(raw.json().path("error").has("code")).isTrue();
        assertThat(g.userQuota(t)).isEqualTo(START);
    }

    // ---- channel choice ---------------------------------------------------------------------------------------

    @Test
    void aNativeChannelIsPreferredAndTheOtherTypeServesAfterItFailed() {
        Token t = g.userWithToken(START);

        CrossFormatCalls.messages(anthropic(t), DUAL, false, false);
        assertThat(mock.lastRequest().path()).isEqualTo("/v1/messages");
        CrossFormatCalls.chat(openai(t), DUAL, false, false);
        assertThat(mock.lastRequest().path()).isEqualTo("/v1/chat/completions");

        mock.failNext(1, 503); // the native channel fails: the translated one serves
        Message m = CrossFormatCalls.messages(anthropic(t), DUAL, false, false);
        assertThat(m.content().getFirst().asText().text()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(mock.requests()).extracting(RecordedRequest::path).endsWith("/v1/messages", "/v1/chat/completions");
    }
}
