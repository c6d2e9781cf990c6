package dev.creditgate.gateway.relay.anthropic;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * {@code POST /v1/messages} (Anthropic Messages API) relayed to {@code anthropic} channels at
 * {@code {base_url}/v1/messages}, with the channel's key in {@code x-api-key}, the client's
 * {@code anthropic-version} (default {@value #DEFAULT_VERSION}) and {@code anthropic-beta}.
 *
 * <p>The body is forwarded byte for byte unless the channel maps the model. Usage for settlement: non-stream,
 * the body's {@code usage}; stream, {@code message_start.message.usage} for the input and the last
 * {@code message_delta.usage.output_tokens} for the output. Input tokens include the cache tokens
 * ({@code cache_creation_input_tokens}, {@code cache_read_input_tokens}) when present. The delivered text
 * (text, thinking and tool-input deltas) is collected for settling without usage. When the upstream breaks off
 * mid-stream the client gets an {@code error} event (type {@code api_error}), as Anthropic sends for a failure
 * after the stream started.
 *
 * <p>One instance per request ({@link #forClient}): it carries the client's version headers.
 */
final class AnthropicRelay implements WireRelay {

    static final String DEFAULT_VERSION = "2023-06-01";
    private static final int MAX_HEADER = 1024;
    private static final byte[] BROKEN_TRAILER = ("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
            + "\"api_error\",\"message\":\"the upstream connection broke off mid-stream\"}}\n\n")
            .getBytes(StandardCharsets.UTF_8);

    private final JsonMapper json;
    private final UpstreamClient upstream;
    private final String version;
    private final String beta;

    AnthropicRelay(JsonMapper json, UpstreamClient upstream) {
        this(json, upstream, DEFAULT_VERSION, null);
    }

    private AnthropicRelay(JsonMapper json, UpstreamClient upstream, String version, String beta) {
        this.json = json;
        this.upstream = upstream;
        this.version = version;
        this.beta = beta;
    }

    /** This relay for one client request: its {@code anthropic-version} and {@code anthropic-beta} (may be null). */
    AnthropicRelay forClient(String anthropicVersion, String anthropicBeta) {
        String v = usable(anthropicVersion) ? anthropicVersion.strip() : DEFAULT_VERSION;
        String b = usable(anthropicBeta) ? anthropicBeta.strip() : null;
        return new AnthropicRelay(json, upstream, v, b);
    }

    private static boolean usable(String header) {
        if (header == null || header.isBlank() || header.length() > MAX_HEADER) {
            return false;
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false; // not a plain header value: not forwarded
            }
        }
        return true;
    }

    @Override
    public EndpointKind kind() {
        return EndpointKind.MESSAGES;
    }

    @Override
    public Set<String> channelTypes() {
        return Set.of(Channel.TYPE_ANTHROPIC);
    }

    @Override
    public HttpRequest request(RelayExchange ex, Channel channel) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(channel.baseUrl() + "/v1/messages"))
                .timeout(upstream.responseTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", ex.stream() ? "text/event-stream" : "application/json")
                .header("x-api-key", channel.apiKey())
                .header("anthropic-version", version);
        if (beta != null) {
            b.header("anthropic-beta", beta);
        }
        return b.POST(HttpRequest.BodyPublishers.ofByteArray(upstreamBody(ex, channel))).build();
    }

    String version() {
        return version;
    }

    String beta() {
        return beta;
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
            SseRelay.Outcome outcome = SseRelay.relay(answer, client, usage, BROKEN_TRAILER);
            return usage.report(outcome);
        }
        JsonAnswer whole = JsonAnswer.read(answer, json);
        boolean delivered = whole.writeTo(answer, client);
        JsonNode usage = whole.tree().path("usage");
        Integer input = inputTokens(usage);
        Integer output = intOrNull(usage.get("output_tokens"));
        StringBuilder text = new StringBuilder();
        for (JsonNode block : whole.tree().path("content")) {
            appendBlockText(text, block);
        }
        return new UsageReport(input, output, total(input, output), text.toString(), delivered, !delivered);
    }

    /** Input tokens of an Anthropic {@code usage}: {@code input_tokens} plus the cache tokens; null without it. */
    static Integer inputTokens(JsonNode usage) {
        Integer input = intOrNull(usage.get("input_tokens"));
        if (input == null) {
            return null;
        }
        long sum = (long) input + orZero(usage.get("cache_creation_input_tokens"))
                + orZero(usage.get("cache_read_input_tokens"));
        return (int) Math.min(Integer.MAX_VALUE, sum);
    }

    private static void appendBlockText(StringBuilder sb, JsonNode block) {
        switch (block.path("type").asString("")) {
            case "text" -> sb.append(block.path("text").asString(""));
            case "thinking" -> sb.append(block.path("thinking").asString(""));
            case "tool_use", "server_tool_use" -> {
                JsonNode input = block.get("input");
                if (input != null && !input.isNull()) {
                    sb.append(input.toString());
                }
            }
            default -> { }
        }
    }

    private static long orZero(JsonNode n) {
        Integer v = intOrNull(n);
        return v == null ? 0 : Math.max(0, v);
    }

    static Integer intOrNull(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }

    static Integer total(Integer input, Integer output) {
        return input != null && output != null ? input + output : null;
    }

    /** Reads usage and delivered text from the events of one Anthropic stream. */
    static final class StreamUsage implements SseRelay.EventObserver {

        private final JsonMapper json;
        private final StringBuilder text = new StringBuilder();
        private Integer input;
        private Integer output;

        StreamUsage(JsonMapper json) {
            this.json = json;
        }

        @Override
        public void onEvent(String event, byte[] data) {
            if (data == null || data.length == 0 || data[0] != '{') {
                return;
            }
            if (event != null && !event.equals("content_block_delta") && !event.equals("message_start")
                    && !event.equals("message_delta")) {
                return; // ping, content_block_start/stop, message_stop, error: nothing to read
            }
            JsonNode node;
            try {
                node = json.readTree(data);
            } catch (JacksonException e) {
                return; // relayed as it came; nothing to read
            }
            switch (node.path("type").asString("")) {
                case "content_block_delta" -> {
                    JsonNode delta = node.path("delta");
                    switch (delta.path("type").asString("")) {
                        case "text_delta" -> text.append(delta.path("text").asString(""));
                        case "thinking_delta" -> text.append(delta.path("thinking").asString(""));
                        case "input_json_delta" -> text.append(delta.path("partial_json").asString(""));
                        default -> { }
                    }
                }
                case "message_start" -> {
                    Integer in = inputTokens(node.path("message").path("usage"));
                    if (in != null) {
                        input = in;
                    }
                    // message_start's output_tokens is a placeholder: the output comes from message_delta
                }
                case "message_delta" -> {
                    JsonNode usage = node.path("usage");
                    Integer out = intOrNull(usage.get("output_tokens"));
                    if (out != null) {
                        output = out; // cumulative: the last one counts
                    }
                    Integer in = inputTokens(usage);
                    if (in != null && (input == null || in > input)) {
                        input = in; // newer API versions repeat the (cumulative) input here
                    }
                }
                default -> { }
            }
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
            return new UsageReport(input, output, total(input, output), text.toString(), outcome.anyByteDelivered(),
                    outcome.clientDisconnected());
        }
    }
}
