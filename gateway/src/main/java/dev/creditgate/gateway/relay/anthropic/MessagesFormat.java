package dev.creditgate.gateway.relay.anthropic;

import static dev.creditgate.gateway.relay.WireJson.count;
import static dev.creditgate.gateway.relay.WireJson.intOrNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import dev.creditgate.gateway.relay.WireFormat;
import dev.creditgate.gateway.relay.WireJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Anthropic Messages format.
 *
 * <p>Body: the model mapped, the output limit in {@code max_tokens}. Usage: non-stream, the body's {@code usage};
 * stream, {@code message_start.message.usage} for the input and the last {@code message_delta.usage.output_tokens}
 * for the output ({@code message_delta} may repeat the cumulative input counts: the larger wins). Input tokens are
 * {@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens}; the cache part is split into reads,
 * 5-minute and 1-hour writes ({@code cache_creation.ephemeral_1h_input_tokens}). Text: text, thinking and tool
 * input. An upstream that breaks off mid-stream ends the client's stream with an {@code error} event (type
 * {@code api_error}), as Anthropic sends for a failure after the stream started.
 */
public final class MessagesFormat implements WireFormat {

    private static final byte[] BROKEN_TRAILER = ("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
            + "\"api_error\",\"message\":\"the upstream connection broke off mid-stream\"}}\n\n")
            .getBytes(StandardCharsets.UTF_8);
    private static final List<String> LIMIT_FIELDS = List.of("max_tokens");

    private final JsonMapper json;

    public MessagesFormat(JsonMapper json) {
        this.json = json;
    }

    @Override
    public byte[] upstreamBody(RelayExchange ex, Channel channel) {
        return WireJson.upstreamBody(ex, channel, json, LIMIT_FIELDS, null);
    }

    @Override
    public ReportedUsage usage(JsonNode answer) {
        Counts counts = new Counts();
        counts.add(answer.path("usage"));
        return counts.usage();
    }

    @Override
    public String text(JsonNode answer) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : answer.path("content")) {
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
        return sb.toString();
    }

    @Override
    public StreamReader streamReader(RelayExchange ex) {
        return new Stream(json);
    }

    @Override
    public byte[] trailerOnBreak() {
        return BROKEN_TRAILER;
    }

    /**
     * The counts of one or more Anthropic {@code usage} objects of one answer; each count is cumulative, so the
     * largest seen wins. The output only from a usage that {@link #add(JsonNode, boolean) counts} it.
     */
    static final class Counts {
        private Integer input;
        private Integer output;
        private int read;
        private int creation;
        private int creation1h;

        void add(JsonNode usage) {
            add(usage, true);
        }

        void add(JsonNode usage, boolean withOutput) {
            if (!usage.isObject()) {
                return;
            }
            Integer in = intOrNull(usage.get("input_tokens"));
            if (in != null) {
                input = input == null ? in : Math.max(input, in);
            }
            read = Math.max(read, count(usage.get("cache_read_input_tokens")));
            creation = Math.max(creation, count(usage.get("cache_creation_input_tokens")));
            creation1h = Math.max(creation1h, count(usage.path("cache_creation").get("ephemeral_1h_input_tokens")));
            Integer out = withOutput ? intOrNull(usage.get("output_tokens")) : null;
            if (out != null) {
                output = out; // cumulative in message_delta: the last one counts
            }
        }

        /** Input is {@code input_tokens} plus the cache tokens; unknown without {@code input_tokens}. */
        ReportedUsage usage() {
            if (input == null) {
                return new ReportedUsage(null, output, null, CacheTokens.NONE);
            }
            int prompt = (int) Math.min(Integer.MAX_VALUE, (long) Math.max(0, input) + read + creation);
            return new ReportedUsage(prompt, output, output == null ? null : prompt + output,
                    CacheTokens.anthropic(read, creation, creation1h));
        }
    }

    /** One Anthropic stream: usage from {@code message_start} and {@code message_delta}, text from the deltas. */
    static final class Stream implements StreamReader {

        private final JsonMapper json;
        private final StringBuilder text = new StringBuilder();
        private final Counts counts = new Counts();

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public byte[] onEvent(String event, byte[] data, byte[] raw) {
            if (data == null || data.length == 0 || data[0] != '{') {
                return raw;
            }
            if (event != null && !event.equals("content_block_delta") && !event.equals("message_start")
                    && !event.equals("message_delta")) {
                return raw; // ping, content_block_start/stop, message_stop, error: nothing to read
            }
            JsonNode node;
            try {
                node = json.readTree(data);
            } catch (JacksonException e) {
                return raw; // relayed as it came; nothing to read
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
                // message_start's output_tokens is a placeholder: the output comes from message_delta
                case "message_start" -> counts.add(node.path("message").path("usage"), false);
                case "message_delta" -> counts.add(node.path("usage"));
                default -> { }
            }
            return raw;
        }

        @Override
        public ReportedUsage usage() {
            return counts.usage();
        }

        @Override
        public String text() {
            return text.toString();
        }
    }
}
