package dev.creditgate.gateway.relay.translate;

import static dev.creditgate.gateway.relay.WireJson.count;
import static dev.creditgate.gateway.relay.WireJson.intOrNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.UpstreamRequest;
import dev.creditgate.gateway.relay.WireFormat;
import dev.creditgate.gateway.relay.openai.ChatFormat;
import dev.creditgate.gateway.web.GatewayExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/messages} (Anthropic Messages) served by an {@code openai} channel's {@code /v1/chat/completions}.
 *
 * <p>Request: {@code system} (a string or text blocks, joined by new lines) becomes the first, {@code system}
 * message; text blocks, images ({@code base64} as a {@code data:} URL, {@code url} as is), {@code tool_use} (an
 * assistant's {@code tool_calls}, the input as JSON text) and {@code tool_result} (one {@code tool} message each,
 * before the rest of the user turn; text only) are carried over; {@code thinking} and {@code redacted_thinking}
 * blocks of earlier turns are dropped. Tools with an {@code input_schema} become functions (server tools, which have
 * none, are dropped); {@code tool_choice} {@code auto/any/tool/none} becomes {@code auto/required/{function}/none},
 * {@code disable_parallel_tool_use} {@code parallel_tool_calls: false}. {@code max_tokens} (or the output limit
 * admission set), {@code temperature}, {@code top_p}, {@code stop_sequences} ({@code stop}) and
 * {@code metadata.user_id} ({@code user}) are kept; {@code top_k} and every {@code cache_control} are dropped.
 * {@code thinking: {type: enabled, budget_tokens}} becomes {@code reasoning_effort} (under 4096 {@code low}, under
 * 16384 {@code medium}, else {@code high}) only for upstream models that take it (names starting with {@code o1},
 * {@code o3}, {@code o4} or {@code gpt-5}): other models answer 400 to it; those models get the limit in
 * {@code max_completion_tokens} (they refuse {@code max_tokens}). Streams ask for the usage chunk.
 *
 * <p>Answer: {@code reasoning_content} becomes a {@code thinking} block, the content a {@code text} block,
 * each tool call a {@code tool_use} block (arguments parsed; not JSON: an empty input); {@code finish_reason}
 * {@code stop/length/tool_calls/content_filter} becomes {@code end_turn/max_tokens/tool_use/refusal}. Usage:
 * {@code input_tokens} = {@code prompt_tokens - cached_tokens}, {@code cache_read_input_tokens} = {@code cached_tokens},
 * {@code output_tokens} = {@code completion_tokens}. Errors: {@code {"type":"error","error":{type, message}}} with
 * the type from the status.
 */
final class MessagesViaChat implements Translation {

    static final String PATH = "/v1/chat/completions";
    private static final byte[] BROKEN_TRAILER = ("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
            + "\"api_error\",\"message\":\"the upstream connection broke off mid-stream\"}}\n\n")
            .getBytes(StandardCharsets.UTF_8);

    private final JsonMapper json;
    private final WireFormat upstream;

    MessagesViaChat(JsonMapper json) {
        this.json = json;
        this.upstream = ChatFormat.chat(json);
    }

    @Override
    public String channelType() {
        return Channel.TYPE_OPENAI;
    }

    @Override
    public WireFormat upstreamFormat() {
        return upstream;
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        ObjectNode body = chatRequest(ex.body(), channel.upstreamModel(ex.model()), ex.outputLimit(), ex.stream());
        return UpstreamRequest.post(channel.baseUrl() + PATH, json.writeValueAsBytes(body))
                .header("Content-Type", "application/json")
                .header("Accept", ex.stream() ? "text/event-stream" : "application/json")
                .header("Authorization", "Bearer " + channel.apiKey())
                .build();
    }

    // ---- request ----------------------------------------------------------------------------------------------

    /** The Chat Completions body for an Anthropic Messages body. */
    ObjectNode chatRequest(ObjectNode a, String model, Integer limit, boolean stream) {
        ObjectNode o = json.createObjectNode();
        o.put("model", model);
        ArrayNode messages = o.putArray("messages");
        String system = joinedText(a.get("system"));
        if (system != null && !system.isEmpty()) {
            messages.addObject().put("role", "system").put("content", system);
        }
        for (JsonNode m : a.path("messages")) {
            addMessage(messages, m);
        }
        Integer max = limit != null ? limit : intOrNull(a.get("max_tokens"));
        if (max != null) {
            o.put(reasoningModel(model) ? "max_completion_tokens" : "max_tokens", max); // o-series refuse max_tokens
        }
        for (String field : List.of("temperature", "top_p")) {
            JsonNode v = a.get(field);
            if (v != null && v.isNumber()) {
                o.set(field, v);
            }
        }
        JsonNode stops = a.get("stop_sequences");
        if (stops != null && stops.isArray() && !stops.isEmpty()) {
            o.set("stop", stops.deepCopy());
        }
        JsonNode user = a.path("metadata").get("user_id");
        if (user != null && user.isString()) {
            o.put("user", user.asString());
        }
        ArrayNode tools = tools(a.get("tools"));
        if (!tools.isEmpty()) {
            o.set("tools", tools);
            JsonNode choice = a.get("tool_choice");
            JsonNode mapped = toolChoice(choice);
            if (mapped != null) {
                o.set("tool_choice", mapped);
            }
            if (choice != null && choice.path("disable_parallel_tool_use").asBoolean(false)) {
                o.put("parallel_tool_calls", false);
            }
        }
        String effort = reasoningEffort(a.get("thinking"), model);
        if (effort != null) {
            o.put("reasoning_effort", effort);
        }
        if (stream) {
            o.put("stream", true);
            o.putObject("stream_options").put("include_usage", true);
        }
        return o;
    }

    /** A string, or the text of {@code text} blocks joined by new lines; null when neither. */
    static String joinedText(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isString()) {
            return content.asString();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asString("")) && block.path("text").isString()) {
                parts.add(block.path("text").asString());
            }
        }
        return parts.isEmpty() ? null : String.join("\n", parts);
    }

    private void addMessage(ArrayNode out, JsonNode m) {
        String role = m.path("role").asString("user");
        JsonNode content = m.get("content");
        if (content == null || content.isString()) {
            ObjectNode msg = out.addObject().put("role", role);
            msg.put("content", content == null ? "" : content.asString());
            return;
        }
        if (role.equals("assistant")) {
            List<String> text = new ArrayList<>();
            ArrayNode calls = json.createArrayNode();
            for (JsonNode block : content) {
                switch (block.path("type").asString("")) {
                    case "text" -> text.add(block.path("text").asString(""));
                    case "tool_use", "server_tool_use" -> {
                        ObjectNode call = calls.addObject();
                        call.put("id", block.path("id").asString(""));
                        call.put("type", "function");
                        ObjectNode fn = call.putObject("function");
                        fn.put("name", block.path("name").asString(""));
                        JsonNode input = block.get("input");
                        fn.put("arguments", input == null || input.isNull() ? "{}" : json.writeValueAsString(input));
                    }
                    default -> { } // thinking, redacted_thinking: not sent back to another provider
                }
            }
            ObjectNode msg = out.addObject().put("role", "assistant");
            if (text.isEmpty() && !calls.isEmpty()) {
                msg.putNull("content");
            } else {
                msg.put("content", String.join("", text));
            }
            if (!calls.isEmpty()) {
                msg.set("tool_calls", calls);
            }
            return;
        }
        ArrayNode parts = json.createArrayNode();
        for (JsonNode block : content) {
            switch (block.path("type").asString("")) {
                case "tool_result" -> {
                    ObjectNode tool = out.addObject().put("role", "tool");
                    tool.put("tool_call_id", block.path("tool_use_id").asString(""));
                    String result = joinedText(block.get("content"));
                    tool.put("content", result == null ? "" : result);
                }
                case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asString(""));
                case "image" -> {
                    String url = imageUrl(block.path("source"));
                    if (url != null) {
                        parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
                    }
                }
                default -> { } // documents, search results...: not carried over
            }
        }
        if (parts.isEmpty()) {
            return; // a turn of tool results only
        }
        ObjectNode msg = out.addObject().put("role", role);
        if (parts.size() == 1 && "text".equals(parts.get(0).path("type").asString())) {
            msg.put("content", parts.get(0).path("text").asString());
        } else {
            msg.set("content", parts);
        }
    }

    private static String imageUrl(JsonNode source) {
        return switch (source.path("type").asString("")) {
            case "base64" -> "data:" + source.path("media_type").asString("image/png") + ";base64,"
                    + source.path("data").asString("");
            case "url" -> source.path("url").isString() ? source.path("url").asString() : null;
            default -> null;
        };
    }

    private ArrayNode tools(JsonNode tools) {
        ArrayNode out = json.createArrayNode();
        if (tools == null || !tools.isArray()) {
            return out;
        }
        for (JsonNode t : tools) {
            JsonNode schema = t.get("input_schema");
            if (schema == null || !schema.isObject() || !t.path("name").isString()) {
                continue; // a server tool (web search, bash...): nothing an OpenAI model can call
            }
            ObjectNode fn = out.addObject().put("type", "function").putObject("function");
            fn.put("name", t.path("name").asString());
            if (t.path("description").isString()) {
                fn.put("description", t.path("description").asString());
            }
            fn.set("parameters", schema.deepCopy());
        }
        return out;
    }

    private JsonNode toolChoice(JsonNode choice) {
        if (choice == null || !choice.isObject()) {
            return null;
        }
        return switch (choice.path("type").asString("")) {
            case "auto" -> json.getNodeFactory().stringNode("auto");
            case "any" -> json.getNodeFactory().stringNode("required");
            case "none" -> json.getNodeFactory().stringNode("none");
            case "tool" -> {
                ObjectNode o = json.createObjectNode().put("type", "function");
                o.putObject("function").put("name", choice.path("name").asString(""));
                yield o;
            }
            default -> null;
        };
    }

    /** OpenAI's reasoning models, which take {@code reasoning_effort} and {@code max_completion_tokens}. */
    static boolean reasoningModel(String upstreamModel) {
        String m = upstreamModel.toLowerCase(java.util.Locale.ROOT);
        return m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("gpt-5");
    }

    static String reasoningEffort(JsonNode thinking, String upstreamModel) {
        if (thinking == null || !"enabled".equals(thinking.path("type").asString(""))) {
            return null;
        }
        if (!reasoningModel(upstreamModel)) {
            return null;
        }
        int budget = count(thinking.get("budget_tokens"));
        return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
    }

    // ---- answer -----------------------------------------------------------------------------------------------

    @Override
    public JsonNode answer(RelayExchange ex, JsonNode c) {
        ObjectNode m = json.createObjectNode();
        m.put("id", messageId(c.path("id").asString("")));
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", c.path("model").asString(ex.model()));
        ArrayNode content = m.putArray("content");
        JsonNode choice = c.path("choices").path(0);
        JsonNode message = choice.path("message");
        if (message.path("reasoning_content").isString() && !message.path("reasoning_content").asString().isEmpty()) {
            content.addObject().put("type", "thinking").put("thinking", message.path("reasoning_content").asString())
                    .put("signature", "");
        }
        if (message.path("content").isString() && !message.path("content").asString().isEmpty()) {
            content.addObject().put("type", "text").put("text", message.path("content").asString());
        }
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode use = content.addObject().put("type", "tool_use");
            use.put("id", call.path("id").asString(""));
            use.put("name", call.path("function").path("name").asString(""));
            use.set("input", parseObject(call.path("function").path("arguments").asString("")));
        }
        m.put("stop_reason", stopReason(choice.path("finish_reason").asString("stop")));
        m.putNull("stop_sequence");
        m.set("usage", usage(c.get("usage")));
        return m;
    }

    /** Arguments as a JSON object; anything else (a model's broken JSON) as an empty input. */
    private JsonNode parseObject(String arguments) {
        try {
            JsonNode n = json.readTree(arguments);
            return n != null && n.isObject() ? n : json.createObjectNode();
        } catch (JacksonException e) {
            return json.createObjectNode();
        }
    }

    static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    private static String messageId(String chatId) {
        return "msg_" + (chatId.startsWith("chatcmpl-") ? chatId.substring("chatcmpl-".length()) : chatId);
    }

    /** Anthropic's usage for an OpenAI one: the cached part of the prompt apart. */
    ObjectNode usage(JsonNode u) {
        ObjectNode out = json.createObjectNode();
        int prompt = u == null ? 0 : count(u.get("prompt_tokens"));
        int cached = u == null ? 0 : Math.min(prompt, count(u.path("prompt_tokens_details").get("cached_tokens")));
        out.put("input_tokens", prompt - cached);
        out.put("cache_creation_input_tokens", 0);
        out.put("cache_read_input_tokens", cached);
        out.put("output_tokens", u == null ? 0 : count(u.get("completion_tokens")));
        return out;
    }

    @Override
    public byte[] error(int status, byte[] body) {
        String message;
        try {
            JsonNode n = json.readTree(body);
            JsonNode m = n == null ? null : n.path("error").get("message");
            message = m != null && m.isString() ? m.asString() : new String(body, StandardCharsets.UTF_8);
        } catch (JacksonException e) {
            message = new String(body, StandardCharsets.UTF_8);
        }
        ObjectNode out = json.createObjectNode().put("type", "error");
        out.putObject("error").put("type", GatewayExceptionHandler.anthropicType(status)).put("message", message);
        return json.writeValueAsBytes(out);
    }

    @Override
    public byte[] trailerOnBreak() {
        return BROKEN_TRAILER;
    }

    @Override
    public StreamTranslator stream(RelayExchange ex) {
        return new Stream(ex.model());
    }

    /**
     * OpenAI chunks to Anthropic events: {@code message_start} with the first chunk; a {@code content_block_start}
     * when the kind of delta changes (thinking, text, each tool call), its deltas ({@code thinking_delta},
     * {@code text_delta}, {@code input_json_delta}), {@code content_block_stop} before the next block and at the
     * finish; {@code message_delta} (stop reason, usage) and {@code message_stop} with the usage chunk after the
     * finish, else with {@code [DONE]}.
     */
    private final class Stream implements StreamTranslator {

        private final String model;
        private boolean started;
        private int index = -1;
        private String open; // "thinking", "text", "tool" or null
        private int openTool = -1;
        private String finish;
        private JsonNode usage;
        private boolean ended;

        Stream(String model) {
            this.model = model;
        }

        @Override
        public byte[] onEvent(String event, JsonNode chunk, String raw) {
            SseOut out = new SseOut(json);
            if (ended) {
                return null;
            }
            if (chunk == null) {
                if ("[DONE]".equals(raw.strip())) {
                    start(out, null);
                    end(out);
                }
                return out.bytes();
            }
            if (chunk.has("error")) { // an error sent inside the stream
                start(out, chunk);
                ObjectNode err = json.createObjectNode().put("type", "error");
                err.putObject("error").put("type", "api_error")
                        .put("message", chunk.path("error").path("message").asString("upstream error"));
                ended = true;
                return out.event("error", err).bytes();
            }
            start(out, chunk);
            for (JsonNode choice : chunk.path("choices")) {
                JsonNode delta = choice.path("delta");
                String reasoning = delta.path("reasoning_content").asString("");
                if (!reasoning.isEmpty()) {
                    block(out, "thinking", -1, null);
                    delta(out, "thinking_delta", "thinking", reasoning);
                }
                String text = delta.path("content").asString("");
                if (!text.isEmpty()) {
                    block(out, "text", -1, null);
                    delta(out, "text_delta", "text", text);
                }
                for (JsonNode call : delta.path("tool_calls")) {
                    int toolIndex = call.path("index").asInt(0);
                    if (!"tool".equals(open) || toolIndex != openTool) {
                        block(out, "tool", toolIndex, call);
                    }
                    String args = call.path("function").path("arguments").asString("");
                    if (!args.isEmpty()) {
                        delta(out, "input_json_delta", "partial_json", args);
                    }
                }
                String f = choice.path("finish_reason").asString("");
                if (!f.isEmpty()) {
                    finish = f;
                    closeBlock(out);
                }
            }
            JsonNode u = chunk.get("usage");
            if (u != null && u.isObject()) {
                usage = u;
                if (finish != null) {
                    end(out);
                }
            }
            return out.bytes();
        }

        private void start(SseOut out, JsonNode chunk) {
            if (started) {
                return;
            }
            started = true;
            ObjectNode m = json.createObjectNode();
            m.put("id", messageId(chunk == null ? "" : chunk.path("id").asString("")));
            m.put("type", "message");
            m.put("role", "assistant");
            m.put("model", chunk == null ? model : chunk.path("model").asString(model));
            m.putArray("content");
            m.putNull("stop_reason");
            m.putNull("stop_sequence");
            m.set("usage", usage(null)); // OpenAI reports usage at the end: message_delta carries it
            ObjectNode e = json.createObjectNode().put("type", "message_start");
            e.set("message", m);
            out.event("message_start", e);
        }

        private void block(SseOut out, String kind, int toolIndex, JsonNode call) {
            if (kind.equals(open) && !kind.equals("tool")) {
                return;
            }
            closeBlock(out);
            index++;
            open = kind;
            openTool = toolIndex;
            ObjectNode e = json.createObjectNode().put("type", "content_block_start").put("index", index);
            ObjectNode b = e.putObject("content_block");
            switch (kind) {
                case "thinking" -> b.put("type", "thinking").put("thinking", "").put("signature", "");
                case "text" -> b.put("type", "text").put("text", "");
                default -> {
                    b.put("type", "tool_use");
                    b.put("id", call.path("id").asString(""));
                    b.put("name", call.path("function").path("name").asString(""));
                    b.putObject("input");
                }
            }
            out.event("content_block_start", e);
        }

        private void delta(SseOut out, String type, String field, String value) {
            ObjectNode e = json.createObjectNode().put("type", "content_block_delta").put("index", index);
            e.putObject("delta").put("type", type).put(field, value);
            out.event("content_block_delta", e);
        }

        private void closeBlock(SseOut out) {
            if (open == null) {
                return;
            }
            out.event("content_block_stop", json.createObjectNode().put("type", "content_block_stop")
                    .put("index", index));
            open = null;
            openTool = -1;
        }

        private void end(SseOut out) {
            if (ended) {
                return;
            }
            ended = true;
            closeBlock(out);
            ObjectNode e = json.createObjectNode().put("type", "message_delta");
            e.putObject("delta").put("stop_reason", stopReason(finish == null ? "stop" : finish))
                    .putNull("stop_sequence");
            e.set("usage", usage(usage));
            out.event("message_delta", e);
            out.event("message_stop", json.createObjectNode().put("type", "message_stop"));
        }
    }
}
