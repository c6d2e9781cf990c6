package dev.creditgate.gateway.relay.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ResponsesStreamUsageTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static void send(ResponsesRelay.StreamUsage usage, String event, String data) {
        usage.onEvent(event, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void usageFromResponseCompletedTextFromTheDeltas() {
        ResponsesRelay.StreamUsage usage = new ResponsesRelay.StreamUsage(JSON);
        send(usage, "response.created", "{\"type\":\"response.created\",\"response\":{\"usage\":null}}");
        send(usage, "response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}");
        send(usage, "response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}");
        send(usage, "response.function_call_arguments.delta",
                "{\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{}\"}");
        send(usage, "response.output_text.done", "{\"type\":\"response.output_text.done\",\"text\":\"Hello\"}");
        send(usage, "response.completed", """
                {"type":"response.completed","response":{"usage":{"input_tokens":12,"output_tokens":3,\
                "total_tokens":15}}}""");

        assertThat(usage.input()).isEqualTo(12);
        assertThat(usage.output()).isEqualTo(3);
        assertThat(usage.text()).isEqualTo("Hello{}");
    }

    @Test
    void noUsageInTheFinalEventLeavesItUnknownAndEventsWithoutNamesAreReadByType() {
        ResponsesRelay.StreamUsage usage = new ResponsesRelay.StreamUsage(JSON);
        send(usage, null, "{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}");
        send(usage, null, "{\"type\":\"response.incomplete\",\"response\":{\"usage\":null}}");
        send(usage, "response.output_text.delta", "garbage");

        assertThat(usage.input()).isNull();
        assertThat(usage.output()).isNull();
        assertThat(usage.text()).isEqualTo("x");
    }

    @Test
    void outputTextOfAWholeResponse() {
        var response = JSON.readTree("""
                {"output":[{"type":"reasoning","summary":[{"type":"summary_text","text":"think "}]},
                {"type":"message","content":[{"type":"output_text","text":"Hi"},{"type":"refusal","refusal":"no"}]},
                {"type":"function_call","arguments":"{\\"a\\":1}"}]}""");
        assertThat(ResponsesRelay.outputText(response)).isEqualTo("think Hino{\"a\":1}");
    }
}
