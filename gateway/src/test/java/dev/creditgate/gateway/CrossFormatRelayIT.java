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
        long charged = g.consumeRows(t, 1).getFirst().path("quota").asLong(); // the 200 only: errors cost nothing
        g.awaitUserQuota(t, START - charged);
        assertThat(g.errorRows(t, 2)).hasSize(2);
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
        g.awaitUserQuota(t, START);
        assertThat(g.errorRows(t, 2)).hasSize(2);
    }

    // ---- a request shaped like Claude Code's ------------------------------------------------------------------

    static final String CLAUDE_CODE_REQUEST = """
            {"model":"claude-sonnet-cc","max_tokens":32000,"stream":true,"temperature":1,
             "system":[{"type":"text","text":"You are Claude Code, Anthropic's official CLI for Claude.",
                        "cache_control":{"type":"ephemeral"}},
                       {"type":"text","text":"Working directory: /repo","cache_control":{"type":"ephemeral"}}],
             "messages":[
               {"role":"user","content":[{"type":"text","text":"<system-reminder>context</system-reminder>"},
                 {"type":"text","text":"List the files","cache_control":{"type":"ephemeral"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"I should list them.","signature":"c2ln"},
                 {"type":"text","text":"Listing."},
                 {"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"ls"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01",
                   "content":[{"type":"text","text":"a.txt\\nb.txt"}],"cache_control":{"type":"ephemeral"}},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                 {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
                 {"type":"text","text":"Now read a.txt"}]}],
             "tools":[{"name":"Bash","description":"Run a command",
                       "input_schema":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]},
                       "cache_control":{"type":"ephemeral"}},
                      {"type":"web_search_20250305","name":"web_search","max_uses":5}],
             "tool_choice":{"type":"auto","disable_parallel_tool_use":true},
             "thinking":{"type":"enabled","budget_tokens":31999},
             "metadata":{"user_id":"user_abc_account_x_session_y"},
             "stop_sequences":["</done>"],
             "top_k":40}
            """;

    static final String TRANSLATED = """
            {"model":"o3-mini",
             "messages":[
               {"role":"system","content":"You are Claude Code, Anthropic's official CLI for Claude.\\nWorking directory: /repo"},
               {"role":"user","content":[{"type":"text","text":"<system-reminder>context</system-reminder>"},
                 {"type":"text","text":"List the files"}]},
               {"role":"assistant","content":"Listing.","tool_calls":[{"id":"toolu_01","type":"function",
                 "function":{"name":"Bash","arguments":"{\\"command\\":\\"ls\\"}"}}]},
               {"role":"tool","tool_call_id":"toolu_01","content":"a.txt\\nb.txt"},
               {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                 {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
                 {"type":"text","text":"Now read a.txt"}]}],
             "max_completion_tokens":32000,
             "temperature":1,
             "stop":["</done>"],
             "user":"user_abc_account_x_session_y",
             "tools":[{"type":"function","function":{"name":"Bash","description":"Run a command",
                 "parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}}],
             "tool_choice":"auto",
             "parallel_tool_calls":false,
             "reasoning_effort":"high",
             "stream":true,
             "stream_options":{"include_usage":true}}
            """;

    @Test
    void aClaudeCodeShapedRequestIsTranslatedFieldByFieldAndStreamedBackAsAnthropicEvents() throws Exception {
        Token t = g.userWithToken(START);
        PricedGateway.ok(g.gw().admin("POST", "/api/channel/", json("name", "o3", "type", "openai",
                "base_url", mock.baseUrl(), "key", "sk-o3", "models", "claude-sonnet-cc",
                "model_mapping", java.util.Map.of("claude-sonnet-cc", "o3-mini"))));
        String models = String.join(",", List.of(GPT, CLAUDE, DUAL, "claude-sonnet-cc").stream()
                .map(m -> "\"" + m + "\":%s").toList());
        PricedGateway.ok(g.gw().admin("PUT", "/api/option/", json("key", PricingConfig.MODEL_RATIO,
                "value", "{" + models.formatted(1, 1, 1, 1) + "}")));
        PricedGateway.ok(g.gw().admin("PUT", "/api/option/", json("key", PricingConfig.COMPLETION_RATIO,
                "value", "{" + models.formatted(4, 4, 4, 4) + "}")));
        mock.usage(300, 9).toolCall("Bash", "{\"command\":\"cat a.txt\"}");

        var http = java.net.http.HttpClient.newHttpClient();
        var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(g.baseUrl() + "/v1/messages"))
                .header("x-api-key", t.key()).header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "interleaved-thinking-2025-05-14").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CLAUDE_CODE_REQUEST)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        RecordedRequest up = mock.lastRequest();
        assertThat(up.path()).isEqualTo("/v1/chat/completions");
        assertThat(up.header("authorization")).isEqualTo("Bearer sk-o3");
        assertThat(up.json()).isEqualTo(dev.creditgate.gateway.support.RunningGateway.JSON.readTree(TRANSLATED));
        // the answer: Anthropic events in order, the tool's input in input_json_delta pieces
        List<String> events = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (String frame : answer.body().split("\n\n")) {
            String[] lines = frame.split("\n");
            assertThat(lines[0]).startsWith("event: ");
            events.add(lines[0].substring(7));
            data.add(dev.creditgate.gateway.support.RunningGateway.JSON.readTree(lines[1].substring(6)));
        }
        assertThat(events).containsExactly("message_start", "content_block_start", "content_block_delta",
                "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
                "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop");
        assertThat(data.get(1).path("content_block").path("type").asString()).isEqualTo("text");
        assertThat(data.get(8).path("index").asInt()).isEqualTo(1);
        assertThat(data.get(8).path("content_block").path("type").asString()).isEqualTo("tool_use");
        assertThat(data.get(8).path("content_block").path("name").asString()).isEqualTo("Bash");
        assertThat(data.get(9).path("delta").path("type").asString()).isEqualTo("input_json_delta");
        assertThat(data.get(9).path("delta").path("partial_json").asString()
                + data.get(10).path("delta").path("partial_json").asString()).isEqualTo("{\"command\":\"cat a.txt\"}");
        assertThat(data.get(12).path("delta").path("stop_reason").asString()).isEqualTo("tool_use");
        assertThat(data.get(12).path("usage").path("input_tokens").asInt()).isEqualTo(300);
        assertThat(data.get(12).path("usage").path("output_tokens").asInt()).isEqualTo(9);
        assertThat(g.consumeRows(t, 1).getFirst().path("quota").asLong()).isEqualTo(300 + 9 * 4);
    }

    @Test
    void aTranslatedStreamCutMidwayEndsWithAnAnthropicErrorEventAndIsChargedForWhatWasDelivered() throws Exception {
        Token t = g.userWithToken(START);
        mock.faultNext(1, dev.creditgate.testkit.Fault.NONE.withCutAfter(2));

        var http = java.net.http.HttpClient.newHttpClient();
        var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(g.baseUrl() + "/v1/messages"))
                .header("x-api-key", t.key()).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json("model", GPT, "max_tokens", 100,
                        "stream", true, "messages", List.of(java.util.Map.of("role", "user", "content", "hi")))))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        String body = answer.body();
        assertThat(body).startsWith("event: message_start\n").contains("\"text\":\"Hello\"", "\"text\":\" from\"")
                .doesNotContain("message_stop").endsWith("event: error\ndata: {\"type\":\"error\",\"error\":"
                        + "{\"type\":\"api_error\",\"message\":\"the upstream connection broke off mid-stream\"}}\n\n");
        JsonNode row = g.consumeRows(t, 1).getFirst(); // no usage came: estimated from the prompt and the text sent
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(2);
        assertThat(row.path("quota").asLong()).isEqualTo(row.path("prompt_tokens").asLong() + 2 * 4);
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
