package dev.creditgate.gateway.relay.translate;

import static dev.creditgate.gateway.relay.translate.ChatViaMessagesTest.JSON;
import static dev.creditgate.gateway.relay.translate.ChatViaMessagesTest.reparsed;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.relay.Exchanges;
import dev.creditgate.gateway.relay.RelayExchange;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code /v1/messages} translated for an {@code openai} channel, and its answers back. */
class MessagesViaChatTest {

    final MessagesViaChat t = new MessagesViaChat(JSON);

    @Test
    void toolChoicesAndThinkingAreMappedWhereTheUpstreamTakesThem() {
        ObjectNode body = (ObjectNode) JSON.readTree("""
                {"model":"c","max_tokens":100,"tool_choice":{"type":"tool","name":"lookup"},
                 "thinking":{"type":"enabled","budget_tokens":2000},
                 "tools":[{"name":"lookup","input_schema":{"type":"object"}}],
                 "messages":[{"role":"user","content":"x"}]}""");
        ObjectNode gpt4 = t.chatRequest(body, "gpt-4o", null, false);
        assertThat(gpt4.path("tool_choice")).isEqualTo(JSON.readTree(
                "{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}"));
        assertThat(gpt4.has("reasoning_effort")).isFalse();
        assertThat(gpt4.path("max_tokens").asInt()).isEqualTo(100);
        ObjectNode o4 = t.chatRequest(body, "o4-mini", 50, false);
        assertThat(o4.path("reasoning_effort").asString()).isEqualTo("low");
        assertThat(o4.path("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(o4.has("max_tokens")).isFalse();
        assertThat(MessagesViaChat.reasoningEffort(JSON.readTree("{\"type\":\"enabled\",\"budget_tokens\":8000}"),
                "gpt-5")).isEqualTo("medium");
        assertThat(MessagesViaChat.reasoningEffort(JSON.readTree("{\"type\":\"disabled\"}"), "gpt-5")).isNull();
        ObjectNode noTools = t.chatRequest((ObjectNode) JSON.readTree("""
                {"model":"c","max_tokens":1,"tool_choice":{"type":"any"},"messages":[{"role":"user","content":"x"}]}"""),
                "gpt-4o", null, false);
        assertThat(noTools.has("tool_choice")).as("no tools offered: no tool_choice").isFalse();
    }

    @Test
    void aChatCompletionBecomesAMessage() {
        JsonNode c = JSON.readTree("""
                {"id":"chatcmpl-xyz","model":"gpt-4o","choices":[{"index":0,"finish_reason":"content_filter",
                  "message":{"role":"assistant","content":"Part","reasoning_content":"think",
                    "tool_calls":[{"id":"call_a","type":"function","function":{"name":"f","arguments":"{broken"}}]}}],
                 "usage":{"prompt_tokens":120,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":100}}}""");

        JsonNode m = t.answer(exchange(false), c);

        assertThat(reparsed(m)).isEqualTo(JSON.readTree("""
                {"id":"msg_xyz","type":"message","role":"assistant","model":"gpt-4o",
                 "content":[{"type":"thinking","thinking":"think","signature":""},{"type":"text","text":"Part"},
                   {"type":"tool_use","id":"call_a","name":"f","input":{}}],
                 "stop_reason":"refusal","stop_sequence":null,
                 "usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,
                   "output_tokens":5}}"""));
    }

    @Test
    void anOpenAiStreamBecomesAnthropicEventsWithOneBlockPerKindAndPerToolCall() {
        List<String> chunks = List.of(
                "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"th\"}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"{}\"}}]}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":\"\"}}]}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
                        + "\"function\":{\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":20}}}",
                "[DONE]");

        List<String[]> out = run(t.stream(exchange(true)), chunks);

        assertThat(out).extracting(e -> e[0]).containsExactly("message_start",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(data(out, 0).path("message").path("id").asString()).isEqualTo("msg_1");
        assertThat(data(out, 1).path("content_block").path("type").asString()).isEqualTo("thinking");
        assertThat(data(out, 2).path("delta").path("thinking").asString()).isEqualTo("th");
        assertThat(data(out, 4).path("index").asInt()).isEqualTo(1);
        assertThat(data(out, 6).path("delta").path("text").asString()).isEqualTo("!");
        assertThat(data(out, 8).path("content_block")).isEqualTo(JSON.readTree(
                "{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"a\",\"input\":{}}"));
        assertThat(data(out, 9).path("delta")).isEqualTo(JSON.readTree(
                "{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}"));
        assertThat(data(out, 11).path("index").asInt()).isEqualTo(3);
        assertThat(data(out, 12).path("delta").path("partial_json").asString()).isEqualTo("{\"x\":1}");
        assertThat(data(out, 14)).isEqualTo(JSON.readTree("""
                {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
                 "usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":20,
                   "output_tokens":9}}"""));
    }

    @Test
    void aStreamWithoutUsageEndsAtDoneAndAnErrorChunkBecomesAnErrorEvent() {
        List<String[]> out = run(t.stream(exchange(true)), List.of(
                "{\"id\":\"chatcmpl-2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
                "{\"id\":\"chatcmpl-2\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}",
                "[DONE]"));
        assertThat(out).extracting(e -> e[0]).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(data(out, 4).path("delta").path("stop_reason").asString()).isEqualTo("max_tokens");

        List<String[]> failed = run(t.stream(exchange(true)), List.of(
                "{\"error\":{\"message\":\"quota exceeded\",\"type\":\"insufficient_quota\"}}"));
        assertThat(failed).extracting(e -> e[0]).containsExactly("message_start", "error");
        assertThat(data(failed, 1).path("error").path("message").asString()).isEqualTo("quota exceeded");
    }

    @Test
    void errorBodiesTakeAnthropicsShapeWithTheTypeOfTheStatus() {
        assertThat(JSON.readTree(t.error(401, ("{\"error\":{\"message\":\"Incorrect API key\",\"type\":"
                + "\"invalid_request_error\",\"code\":\"invalid_api_key\"}}").getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(JSON.readTree("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                        + "\"message\":\"Incorrect API key\"}}"));
        assertThat(JSON.readTree(t.error(529, "overloaded".getBytes(StandardCharsets.UTF_8))).path("error"))
                .isEqualTo(JSON.readTree("{\"type\":\"overloaded_error\",\"message\":\"overloaded\"}"));
    }

    static RelayExchange exchange(boolean stream) {
        return Exchanges.of(EndpointKind.MESSAGES, "{\"model\":\"claude-x\",\"max_tokens\":10,\"messages\":[]}",
                stream, null);
    }

    static JsonNode data(List<String[]> events, int i) {
        return JSON.readTree(events.get(i)[1]);
    }

    /** Every event (name, data) the translator wrote for the given upstream data payloads. */
    static List<String[]> run(Translation.StreamTranslator s, List<String> upstreamData) {
        List<String[]> out = new ArrayList<>();
        for (String data : upstreamData) {
            JsonNode node = data.startsWith("{") ? JSON.readTree(data) : null;
            byte[] bytes = s.onEvent(null, node, data);
            if (bytes == null) {
                continue;
            }
            for (String frame : new String(bytes, StandardCharsets.UTF_8).split("\n\n")) {
                String[] lines = frame.split("\n");
                out.add(new String[] {lines[0].substring("event: ".length()), lines[1].substring("data: ".length())});
            }
        }
        return out;
    }
}
