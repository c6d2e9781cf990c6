package dev.creditgate.gateway.relay.responses;

import static dev.creditgate.gateway.relay.WireJson.count;
import static dev.creditgate.gateway.relay.WireJson.intOrNull;

import java.util.List;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import dev.creditgate.gateway.relay.WireFormat;
import dev.creditgate.gateway.relay.WireJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI Responses format.
 *
 * <p>Body: the model mapped, the output limit in {@code max_output_tokens}. Usage: non-stream, the body's
 * {@code usage}; stream, {@code response.usage} of the final event ({@code response.completed}, or
 * {@code response.incomplete} / {@code response.failed}): {@code input_tokens} (cached ones included),
 * {@code output_tokens}, {@code total_tokens}, {@code input_tokens_details.cached_tokens} as cache reads. Text:
 * message text and refusals, function and custom-tool arguments, reasoning summaries (the stream's deltas of them).
 */
final class ResponsesFormat implements WireFormat {

    private static final List<String> LIMIT_FIELDS = List.of("max_output_tokens");

    private final JsonMapper json;

    ResponsesFormat(JsonMapper json) {
        this.json = json;
    }

    @Override
    public byte[] upstreamBody(RelayExchange ex, Channel channel) {
        return WireJson.upstreamBody(ex, channel, json, LIMIT_FIELDS, null);
    }

    /** A Responses {@code usage} object. */
    static ReportedUsage usageOf(JsonNode usage) {
        return WireJson.openAiUsage(usage, "input_tokens", "output_tokens");
    }

    @Override
    public ReportedUsage usage(JsonNode answer) {
        return usageOf(answer.get("usage"));
    }

    /** The generated text of a {@code response} object. */
    @Override
    public String text(JsonNode response) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode item : response.path("output")) {
            switch (item.path("type").asString("")) {
                case "message" -> {
                    for (JsonNode part : item.path("content")) {
                        sb.append(part.path("text").asString("")).append(part.path("refusal").asString(""));
                    }
                }
                case "function_call" -> sb.append(item.path("arguments").asString(""));
                case "custom_tool_call" -> sb.append(item.path("input").asString(""));
                case "reasoning" -> {
                    for (JsonNode s : item.path("summary")) {
                        sb.append(s.path("text").asString(""));
                    }
                }
                default -> { }
            }
        }
        return sb.toString();
    }

    @Override
    public StreamReader streamReader(RelayExchange ex) {
        return new Stream(json);
    }

    /** One Responses stream: usage from the final event, text from the deltas. */
    static final class Stream implements StreamReader {

        private final JsonMapper json;
        private final StringBuilder text = new StringBuilder();
        private ReportedUsage usage = ReportedUsage.NONE;

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public byte[] onEvent(String event, byte[] data, byte[] raw) {
            if (data == null || data.length == 0 || data[0] != '{' || (event != null && !interesting(event))) {
                return raw;
            }
            JsonNode node;
            try {
                node = json.readTree(data);
            } catch (JacksonException e) {
                return raw; // relayed as it came; nothing to read
            }
            String type = node.path("type").asString("");
            if (!interesting(type)) {
                return raw;
            }
            if (type.endsWith(".delta")) {
                text.append(node.path("delta").asString(""));
                return raw;
            }
            JsonNode u = node.path("response").path("usage");
            if (u.isObject()) {
                usage = usageOf(u);
            }
            return raw;
        }

        private static boolean interesting(String type) {
            return switch (type) {
                case "response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta",
                     "response.function_call_arguments.delta", "response.custom_tool_call_input.delta",
                     "response.completed", "response.incomplete", "response.failed" -> true;
                default -> false;
            };
        }

        @Override
        public ReportedUsage usage() {
            return usage;
        }

        @Override
        public String text() {
            return text.toString();
        }
    }
}
