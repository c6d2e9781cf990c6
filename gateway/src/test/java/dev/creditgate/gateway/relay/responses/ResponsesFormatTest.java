package dev.creditgate.gateway.relay.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.relay.Exchanges;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ResponsesFormatTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final ResponsesFormat FORMAT = new ResponsesFormat(JSON);

    static void send(ResponsesFormat.Stream usage, String event, String data) {
        byte[] raw = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
        assertThat(usage.onEvent(event, data.getBytes(StandardCharsets.UTF_8), raw)).isSameAs(raw); // all relayed
    }

    @Test
    void usageFromResponseCompletedWithCachedTokensTextFromTheDeltas() {
        ResponsesFormat.Stream usage = new ResponsesFormat.Stream(JSON);
        send(usage, "response.created", "{\"type\":\"response.created\",\"response\":{\"usage\":null}}");
        send(usage, "response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}");
        send(usage, "response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}");
        send(usage, "response.function_call_arguments.delta",
                "{\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{}\"}");
        send(usage, "response.output_text.done", "{\"type\":\"response.output_text.done\",\"text\":\"Hello\"}");
        send(usage, "response.completed", """
                {"type":"response.completed","response":{"usage":{"input_tokens":1200,\
                "input_tokens_details":{"cached_tokens":1024},"output_tokens":3,"total_tokens":1203}}}""");

        assertThat(usage.usage()).isEqualTo(new ReportedUsage(1200, 3, 1203, new CacheTokens(1024, 0, 0)));
        assertThat(usage.text()).isEqualTo("Hello{}");
    }

    @Test
    void noUsageInTheFinalEventLeavesItUnknownAndEventsWithoutNamesAreReadByType() {
        ResponsesFormat.Stream usage = new ResponsesFormat.Stream(JSON);
        send(usage, null, "{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}");
        send(usage, null, "{\"type\":\"response.incomplete\",\"response\":{\"usage\":null}}");
        send(usage, "response.output_text.delta", "garbage");

        assertThat(usage.usage()).isEqualTo(ReportedUsage.NONE);
        assertThat(usage.text()).isEqualTo("x");
    }

    @Test
    void usageAndTextOfAWholeResponse() {
        var response = JSON.readTree("""
                {"output":[{"type":"reasoning","summary":[{"type":"summary_text","text":"think "}]},
                {"type":"message","content":[{"type":"output_text","text":"Hi"},{"type":"refusal","refusal":"no"}]},
                {"type":"function_call","arguments":"{\\"a\\":1}"}],
                "usage":{"input_tokens":50,"input_tokens_details":{"cached_tokens":20},"output_tokens":4,"total_tokens":54}}""");
        assertThat(FORMAT.text(response)).isEqualTo("think Hino{\"a\":1}");
        assertThat(FORMAT.usage(response)).isEqualTo(new ReportedUsage(50, 4, 54, new CacheTokens(20, 0, 0)));
        assertThat(FORMAT.usage(JSON.readTree("{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}")))
                .isEqualTo(new ReportedUsage(5, 1, null, CacheTokens.NONE));
    }

    @Test
    void theOutputLimitGoesIntoMaxOutputTokens() {
        Channel channel = new Channel(1, Channel.TYPE_OPENAI, "c", "http://u", "k", List.of("m"), Map.of(), 0, 1, 1, 0, 0);
        String body = "{\"model\":\"m\", \"input\":\"hi\"}";
        RelayExchange plain = Exchanges.of(EndpointKind.RESPONSES, body, false, null);
        assertThat(FORMAT.upstreamBody(plain, channel)).isSameAs(plain.rawBody());

        RelayExchange limited = Exchanges.of(EndpointKind.RESPONSES, body, false, 512);
        assertThat(JSON.readTree(FORMAT.upstreamBody(limited, channel)))
                .isEqualTo(JSON.readTree("{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":512}"));
        RelayExchange lowered = Exchanges.of(EndpointKind.RESPONSES,
                "{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":9000}", true, 512);
        assertThat(JSON.readTree(FORMAT.upstreamBody(lowered, channel)).path("max_output_tokens").asInt()).isEqualTo(512);
    }
}
