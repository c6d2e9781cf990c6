package dev.creditgate.gateway.relay.openai;

import static dev.creditgate.gateway.relay.WireJson.count;
import static dev.creditgate.gateway.relay.WireJson.intOrNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import dev.creditgate.gateway.relay.WireFormat;
import dev.creditgate.gateway.relay.WireJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI chat completions format (and the embeddings format, which shares its {@code usage}).
 *
 * <p>Body: the model mapped; the output limit in {@code max_completion_tokens} when the client used it, else in
 * {@code max_tokens} (both when it used both; embeddings: never); for streams
 * {@code stream_options.include_usage=true}, forced so that usage can be settled. Usage: {@code prompt_tokens}
 * (cached ones included), {@code completion_tokens}, {@code total_tokens}, {@code prompt_tokens_details.cached_tokens}
 * as cache reads. Streams: the usage-only chunk is hidden from a client that did not ask for usage, and
 * {@code usage} is stripped from a chunk that also carries choices.
 */
public final class ChatFormat implements WireFormat {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private final JsonMapper json;
    private final boolean chat;

    private ChatFormat(JsonMapper json, boolean chat) {
        this.json = json;
        this.chat = chat;
    }

    public static ChatFormat chat(JsonMapper json) {
        return new ChatFormat(json, true);
    }

    static ChatFormat embeddings(JsonMapper json) {
        return new ChatFormat(json, false);
    }

    @Override
    public byte[] upstreamBody(RelayExchange ex, Channel channel) {
        boolean forceUsage = ex.stream() && !clientWantsUsage(ex.body());
        return WireJson.upstreamBody(ex, channel, json, chat ? limitFields(ex.body()) : List.of(),
                forceUsage ? ChatFormat::includeUsage : null);
    }

    /** Where a chat request carries its output limit: where the client put it, {@code max_tokens} by default. */
    static List<String> limitFields(ObjectNode body) {
        boolean completion = body.hasNonNull("max_completion_tokens");
        boolean max = body.hasNonNull("max_tokens");
        if (completion && max) {
            return List.of("max_completion_tokens", "max_tokens");
        }
        return List.of(completion ? "max_completion_tokens" : "max_tokens");
    }

    private static void includeUsage(ObjectNode body) {
        JsonNode so = body.get("stream_options");
        ObjectNode options = so != null && so.isObject() ? (ObjectNode) so : body.putObject("stream_options");
        options.put("include_usage", true);
    }

    static boolean clientWantsUsage(ObjectNode body) {
        JsonNode v = body.path("stream_options").path("include_usage");
        return v.isBoolean() && v.booleanValue();
    }

    /** An OpenAI {@code usage} object (chat completions, embeddings). */
    static ReportedUsage usageOf(JsonNode usage) {
        return WireJson.openAiUsage(usage, "prompt_tokens", "completion_tokens");
    }

    @Override
    public ReportedUsage usage(JsonNode answer) {
        return usageOf(answer.get("usage"));
    }

    @Override
    public String text(JsonNode answer) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode choice : answer.path("choices")) {
            appendText(sb, choice.path("message"));
        }
        return sb.toString();
    }

    @Override
    public StreamReader streamReader(RelayExchange ex) {
        return new Stream(json, clientWantsUsage(ex.body()));
    }

    /** Content, reasoning and tool-call arguments of a message or a delta. */
    private static void appendText(StringBuilder sb, JsonNode message) {
        JsonNode content = message.get("content");
        if (content != null && content.isString()) {
            sb.append(content.asString());
        }
        JsonNode reasoning = message.get("reasoning_content");
        if (reasoning != null && reasoning.isString()) {
            sb.append(reasoning.asString());
        }
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode args = call.path("function").get("arguments");
            if (args != null && args.isString()) {
                sb.append(args.asString());
            }
        }
    }

    /** One chat stream: usage from the chunk that carries it, text from the deltas. */
    static final class Stream implements StreamReader {

        private final JsonMapper json;
        private final boolean clientWantsUsage;
        private final StringBuilder text = new StringBuilder();
        private ReportedUsage usage = ReportedUsage.NONE;

        Stream(JsonMapper json, boolean clientWantsUsage) {
            this.json = json;
            this.clientWantsUsage = clientWantsUsage;
        }

        @Override
        public byte[] onEvent(String event, byte[] data, byte[] raw) {
            if (data == null || data.length == 0 || data[0] != '{') {
                return raw; // [DONE], comments, anything not JSON: as the upstream sent it
            }
            JsonNode chunk;
            try {
                chunk = json.readTree(data);
            } catch (JacksonException e) {
                return raw;
            }
            JsonNode choices = chunk.path("choices");
            for (JsonNode choice : choices) {
                appendText(text, choice.path("delta"));
            }
            JsonNode u = chunk.get("usage");
            if (u == null || !u.isObject()) {
                return raw;
            }
            usage = usageOf(u);
            if (clientWantsUsage) {
                return raw;
            }
            if (choices.isEmpty()) {
                return null; // the usage-only chunk the client did not ask for
            }
            ((ObjectNode) chunk).remove("usage");
            byte[] body = json.writeValueAsBytes(chunk);
            byte[] out = new byte[DATA.length + body.length + 2];
            System.arraycopy(DATA, 0, out, 0, DATA.length);
            System.arraycopy(body, 0, out, DATA.length, body.length);
            out[out.length - 2] = '\n';
            out[out.length - 1] = '\n';
            return out;
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
