package dev.creditgate.gateway.relay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.relay.Exchanges;
import dev.creditgate.gateway.relay.RelayExchange;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code /v1/chat/completions} translated for an {@code anthropic} channel, and its answers back. */
class ChatViaMessagesTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    final ChatViaMessages t = new ChatViaMessages(JSON);

    @Test
    void aChatRequestBecomesAMessagesRequestFieldByField() {
        String chat = """
                {"model":"gpt-like","temperature":0.3,"top_p":0.9,"max_completion_tokens":2000,"stop":"END",
                 "user":"u1","reasoning_effort":"medium","parallel_tool_calls":false,"tool_choice":"required",
                 "stream":true,"stream_options":{"include_usage":true},"presence_penalty":1,
                 "messages":[
                   {"role":"system","content":"Be brief."},
                   {"role":"developer","content":[{"type":"text","text":"Use tools."}]},
                   {"role":"user","content":[{"type":"text","text":"What is this?"},
                     {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
                     {"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"high"}}]},
                   {"role":"assistant","content":"Let me look.","tool_calls":[
                     {"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":\\"a\\"}"}},
                     {"id":"call_2","type":"function","function":{"name":"lookup","arguments":"not json"}}]},
                   {"role":"tool","tool_call_id":"call_1","content":"found a"},
                   {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"found b"}]},
                   {"role":"user","content":"Thanks"}],
                 "tools":[{"type":"function","function":{"name":"lookup","description":"Looks up",
                   "parameters":{"type":"object","properties":{"q":{"type":"string"}}}}},
                   {"type":"function","function":{"name":"noargs"}}]}
                """;
        ObjectNode body = (ObjectNode) JSON.readTree(chat);

        ObjectNode out = t.messagesRequest(body, "claude-x", null, true);

        // medium is 4096 tokens of thinking, kept below the output limit of 2000
        assertThat(reparsed(out)).isEqualTo(JSON.readTree("""
                {"model":"claude-x","system":"Be brief.\\nUse tools.",
                 "messages":[
                   {"role":"user","content":[{"type":"text","text":"What is this?"},
                     {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
                     {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]},
                   {"role":"assistant","content":[{"type":"text","text":"Let me look."},
                     {"type":"tool_use","id":"call_1","name":"lookup","input":{"q":"a"}},
                     {"type":"tool_use","id":"call_2","name":"lookup","input":{}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"found a"},
                     {"type":"tool_result","tool_use_id":"call_2","content":"found b"},
                     {"type":"text","text":"Thanks"}]}],
                 "max_tokens":2000,"temperature":0.3,"top_p":0.9,"stop_sequences":["END"],
                 "metadata":{"user_id":"u1"},
                 "tools":[{"name":"lookup","description":"Looks up",
                           "input_schema":{"type":"object","properties":{"q":{"type":"string"}}}},
                          {"name":"noargs","input_schema":{"type":"object"}}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true},
                 "thinking":{"type":"enabled","budget_tokens":1999},
                 "stream":true}
                """));
    }

    @Test
    void theOutputLimitOfAdmissionWinsAndAThinkingBudgetStaysBelowIt() {
        ObjectNode body = (ObjectNode) JSON.readTree("""
                {"model":"m","max_tokens":9000,"reasoning_effort":"high","messages":[{"role":"user","content":"x"}]}""");
        ObjectNode out = t.messagesRequest(body, "m", 3000, false);
        assertThat(out.path("max_tokens").asInt()).isEqualTo(3000);
        assertThat(out.path("thinking").path("budget_tokens").asInt()).isEqualTo(2999);
        assertThat(out.has("stream")).isFalse();
        ObjectNode small = t.messagesRequest(body, "m", 500, false);
        assertThat(small.has("thinking")).as("no budget of at least 1024 fits below 500").isFalse();
        ObjectNode hot = t.messagesRequest((ObjectNode) JSON.readTree("""
                {"model":"m","temperature":1.7,"messages":[{"role":"user","content":""},
                  {"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"y"}]}]}"""),
                "m", null, false);
        assertThat(hot.path("temperature").asInt()).as("Anthropic's maximum").isEqualTo(1);
        assertThat(reparsed(hot.path("messages"))).as("empty text left out").isEqualTo(JSON.readTree(
                "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"y\"}]}]"));
        ObjectNode none = t.messagesRequest((ObjectNode) JSON.readTree(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), "m", null, false);
        assertThat(none.path("max_tokens").asInt()).isEqualTo(ChatViaMessages.DEFAULT_MAX_TOKENS);
    }

    @Test
    void aMessageBecomesAChatCompletion() {
        JsonNode message = JSON.readTree("""
                {"id":"msg_01abc","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Calling."},
                   {"type":"tool_use","id":"toolu_1","name":"lookup","input":{"q":"a"}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":100,"cache_read_input_tokens":10000,"cache_creation_input_tokens":1000,
                   "output_tokens":6}}""");

        JsonNode c = t.answer(exchange(false), message);

        assertThat(c.path("id").asString()).isEqualTo("chatcmpl-01abc");
        assertThat(c.path("object").asString()).isEqualTo("chat.completion");
        assertThat(c.path("model").asString()).isEqualTo("claude-x");
        JsonNode choice = c.path("choices").path(0);
        assertThat(choice.path("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(choice.path("message").path("content").asString()).isEqualTo("Calling.");
        assertThat(choice.path("message").path("reasoning_content").asString()).isEqualTo("hmm");
        JsonNode call = choice.path("message").path("tool_calls").path(0);
        assertThat(call.path("id").asString()).isEqualTo("toolu_1");
        assertThat(call.path("function").path("name").asString()).isEqualTo("lookup");
        assertThat(JSON.readTree(call.path("function").path("arguments").asString()))
                .isEqualTo(JSON.readTree("{\"q\":\"a\"}"));
        assertThat(reparsed(c.path("usage"))).isEqualTo(JSON.readTree("""
                {"prompt_tokens":11100,"completion_tokens":6,"total_tokens":11106,
                 "prompt_tokens_details":{"cached_tokens":10000}}"""));
        assertThat(ChatViaMessages.finishReason("max_tokens")).isEqualTo("length");
        assertThat(ChatViaMessages.finishReason("stop_sequence")).isEqualTo("stop");
        assertThat(ChatViaMessages.finishReason("refusal")).isEqualTo("content_filter");
    }

    @Test
    void anAnthropicStreamBecomesChatChunksWithTheUsageChunkWhenAsked() {
        List<String> events = List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_9\",\"model\":\"claude-x\",\"usage\":"
                        + "{\"input_tokens\":40,\"cache_read_input_tokens\":60,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hm\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"x\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"ping\"}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}",
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_7\","
                        + "\"name\":\"lookup\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\":\"}}",
                "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"a\\\"}\"}}",
                "{\"type\":\"content_block_stop\",\"index\":2}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":12}}",
                "{\"type\":\"message_stop\"}");

        List<String> out = run(t.stream(exchange(true)), events);

        assertThat(out).hasSize(9);
        assertThat(JSON.readTree(out.get(0)).path("choices").path(0).path("delta"))
                .isEqualTo(JSON.readTree("{\"role\":\"assistant\",\"content\":\"\"}"));
        assertThat(JSON.readTree(out.get(0)).path("id").asString()).isEqualTo("chatcmpl-9");
        assertThat(JSON.readTree(out.get(1)).path("choices").path(0).path("delta").path("reasoning_content")
                .asString()).isEqualTo("hm");
        assertThat(JSON.readTree(out.get(2)).path("choices").path(0).path("delta").path("content").asString())
                .isEqualTo("Hi");
        assertThat(JSON.readTree(out.get(3)).path("choices").path(0).path("delta").path("tool_calls"))
                .isEqualTo(JSON.readTree("[{\"index\":0,\"id\":\"toolu_7\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}]"));
        assertThat(JSON.readTree(out.get(4)).path("choices").path(0).path("delta").path("tool_calls").path(0)
                .path("function").path("arguments").asString()
                + JSON.readTree(out.get(5)).path("choices").path(0).path("delta").path("tool_calls").path(0)
                .path("function").path("arguments").asString()).isEqualTo("{\"q\":\"a\"}");
        assertThat(JSON.readTree(out.get(6)).path("choices").path(0).path("finish_reason").asString())
                .isEqualTo("tool_calls");
        JsonNode usage = JSON.readTree(out.get(7));
        assertThat(usage.path("choices").isEmpty()).isTrue();
        assertThat(usage.path("usage")).isEqualTo(JSON.readTree("""
                {"prompt_tokens":100,"completion_tokens":12,"total_tokens":112,
                 "prompt_tokens_details":{"cached_tokens":60}}"""));
        assertThat(out.get(8)).isEqualTo("[DONE]");
        assertThat(out.stream().limit(8).map(JSON::readTree).map(n -> n.path("object").asString()).distinct())
                .containsExactly("chat.completion.chunk");
    }

    @Test
    void withoutIncludeUsageTheStreamEndsWithoutAUsageChunkAndAnErrorEventBecomesAnOpenAiError() {
        RelayExchange plain = Exchanges.of(EndpointKind.CHAT_COMPLETIONS,
                "{\"model\":\"claude-x\",\"stream\":true,\"messages\":[]}", true, null);
        List<String> out = run(t.stream(plain), List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3}}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}",
                "{\"type\":\"message_stop\"}"));
        assertThat(out).hasSize(3);
        assertThat(out.get(2)).isEqualTo("[DONE]");

        List<String> broken = run(t.stream(plain), List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        assertThat(JSON.readTree(broken.get(1))).isEqualTo(JSON.readTree(
                "{\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\",\"param\":null,\"code\":null}}"));
    }

    @Test
    void anAnthropicErrorBodyBecomesAnOpenAiOne() {
        byte[] body = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(JSON.readTree(t.error(429, body))).isEqualTo(JSON.readTree(
                "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":null}}"));
        assertThat(JSON.readTree(t.error(502, "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8)))
                .path("error").path("type").asString()).isEqualTo("server_error");
    }

    /** As a client reads it (numbers typed by their text, not by how they were built). */
    static JsonNode reparsed(JsonNode n) {
        return JSON.readTree(JSON.writeValueAsString(n));
    }

    static RelayExchange exchange(boolean stream) {
        return Exchanges.of(EndpointKind.CHAT_COMPLETIONS, "{\"model\":\"claude-x\",\"stream\":" + stream
                + ",\"stream_options\":{\"include_usage\":true},\"messages\":[]}", stream, null);
    }

    /** The data payloads of every event the translator wrote for the given upstream events. */
    static List<String> run(Translation.StreamTranslator s, List<String> upstreamData) {
        List<String> out = new ArrayList<>();
        for (String data : upstreamData) {
            JsonNode node = data.startsWith("{") ? JSON.readTree(data) : null;
            byte[] bytes = s.onEvent(node == null ? null : node.path("type").asString(), node, data);
            if (bytes == null) {
                continue;
            }
            for (String frame : new String(bytes, StandardCharsets.UTF_8).split("\n\n")) {
                for (String line : frame.split("\n")) {
                    if (line.startsWith("data: ")) {
                        out.add(line.substring(6));
                    }
                }
            }
        }
        return out;
    }
}
