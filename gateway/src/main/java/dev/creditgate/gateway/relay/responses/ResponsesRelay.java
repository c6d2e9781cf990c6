package dev.creditgate.gateway.relay.responses;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.JsonAnswer;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.SseRelay;
import dev.creditgate.gateway.relay.UpstreamClient;
import dev.creditgate.gateway.relay.WireRelay;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/responses} (OpenAI Responses API) relayed to {@code openai} channels at
 * {@code {base_url}/v1/responses} with the channel's key as a bearer token.
 *
 * <p>The body is forwarded byte for byte unless the channel maps the model. Usage for settlement: non-stream, the
 * body's {@code usage} ({@code input_tokens}, {@code output_tokens}); stream, {@code response.usage} of the final
 * event ({@code response.completed}, or {@code response.incomplete} / {@code response.failed}). The delivered text
 * ({@code response.output_text.delta}, refusal, reasoning summary and function-argument deltas) is collected for
 * settling without usage. Events are relayed as they come, flushed after each.
 */
final class ResponsesRelay implements WireRelay {

    private final JsonMapper json;
    private final UpstreamClient upstream;

    ResponsesRelay(JsonMapper json, UpstreamClient upstream) {
        this.json = json;
        this.upstream = upstream;
    }

    @Override
    public EndpointKind kind() {
        return EndpointKind.RESPONSES;
    }

    @Override
    public Set<String> channelTypes() {
        return Set.of(Channel.TYPE_OPENAI);
    }

    @Override
    public HttpRequest request(RelayExchange ex, Channel channel) {
        return HttpRequest.newBuilder(URI.create(channel.baseUrl() + "/v1/responses"))
                .timeout(upstream.responseTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", ex.stream() ? "text/event-stream" : "application/json")
                .header("Authorization", "Bearer " + channel.apiKey())
                .POST(HttpRequest.BodyPublishers.ofByteArray(upstreamBody(ex, channel)))
                .build();
    }

    private byte[] upstreamBody(RelayExchange ex, Channel channel) {
        String upstreamModel = channel.upstreamModel(ex.model());
        if (upstreamModel.equals(ex.model())) {
            return ex.rawBody();
        }
        ObjectNode copy = ex.body().deepCopy();
        copy.put("model", upstreamModel);
        return json.writeValueAsBytes(copy);
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        String contentType = answer.headers().firstValue("Content-Type").orElse("application/json");
        if (ex.stream() && contentType.startsWith("text/event-stream")) {
            StreamUsage usage = new StreamUsage(json);
            SseRelay.Outcome outcome = SseRelay.relay(answer, client, usage, null);
            return usage.report(outcome);
        }
        JsonAnswer whole = JsonAnswer.read(answer, json);
        boolean delivered = whole.writeTo(answer, client);
        JsonNode usage = whole.tree().path("usage");
        Integer input = intOrNull(usage.get("input_tokens"));
        Integer output = intOrNull(usage.get("output_tokens"));
        return new UsageReport(input, output, intOrNull(usage.get("total_tokens")), outputText(whole.tree()),
                delivered, !delivered);
    }

    /** The generated text of a {@code response} object: message text and refusals, function arguments, summaries. */
    static String outputText(JsonNode response) {
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

    static Integer intOrNull(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }

    /** Reads usage and delivered text from the events of one Responses stream. */
    static final class StreamUsage implements SseRelay.EventObserver {

        private final JsonMapper json;
        private final StringBuilder text = new StringBuilder();
        private Integer input;
        private Integer output;
        private Integer total;

        StreamUsage(JsonMapper json) {
            this.json = json;
        }

        @Override
        public void onEvent(String event, byte[] data) {
            if (data == null || data.length == 0 || data[0] != '{' || (event != null && !interesting(event))) {
                return;
            }
            JsonNode node;
            try {
                node = json.readTree(data);
            } catch (JacksonException e) {
                return; // relayed as it came; nothing to read
            }
            String type = node.path("type").asString("");
            if (!interesting(type)) {
                return;
            }
            if (type.endsWith(".delta")) {
                text.append(node.path("delta").asString(""));
                return;
            }
            JsonNode usage = node.path("response").path("usage");
            if (usage.isObject()) {
                input = intOrNull(usage.get("input_tokens"));
                output = intOrNull(usage.get("output_tokens"));
                total = intOrNull(usage.get("total_tokens"));
            }
        }

        private static boolean interesting(String type) {
            return switch (type) {
                case "response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta",
                     "response.function_call_arguments.delta", "response.custom_tool_call_input.delta",
                     "response.completed", "response.incomplete", "response.failed" -> true;
                default -> false;
            };
        }

        Integer input() {
            return input;
        }

        Integer output() {
            return output;
        }

        String text() {
            return text.toString();
        }

        UsageReport report(SseRelay.Outcome outcome) {
            return new UsageReport(input, output, total, text.toString(), outcome.anyByteDelivered(),
                    outcome.clientDisconnected());
        }
    }
}
