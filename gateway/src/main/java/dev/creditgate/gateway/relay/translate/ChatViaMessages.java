package dev.creditgate.gateway.relay.translate;

import static dev.creditgate.gateway.relay.WireJson.count;
import static dev.creditgate.gateway.relay.WireJson.intOrNull;

import java.nio.charset.StandardCharsets;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.UpstreamRequest;
import dev.creditgate.gateway.relay.WireFormat;
import dev.creditgate.gateway.relay.anthropic.MessagesFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/chat/completions} (OpenAI) served by an {@code anthropic} channel's {@code /v1/messages}
 * ({@code anthropic-version: 2023-06-01}).
 *
 * <p>Request: {@code system} and {@code developer} messages become {@code system} (joined by new lines); user text
 * and images ({@code data:} URLs as {@code base64}, others as {@code url} sources), assistant text and
 * {@code tool_calls} ({@code tool_use} blocks, arguments parsed), {@code tool} messages ({@code tool_result} blocks in
 * a user turn) are carried over, consecutive turns of one role merged (Anthropic alternates roles). Functions become
 * tools ({@code parameters} as {@code input_schema}); {@code tool_choice} {@code auto/required/none/{function}} becomes
 * {@code auto/any/none/tool}, {@code parallel_tool_calls: false} {@code disable_parallel_tool_use}. The output limit
 * ({@code max_completion_tokens}, else {@code max_tokens}, or admission's) goes to {@code max_tokens}, which Anthropic
 * requires: {@value #DEFAULT_MAX_TOKENS} when the request names none. {@code stop} becomes {@code stop_sequences},
 * {@code user} {@code metadata.user_id}; {@code temperature} (above 1, Anthropic's maximum: 1) and {@code top_p} are
 * kept; empty text parts are left out (Anthropic refuses them); {@code reasoning_effort}
 * {@code low/medium/high} becomes {@code thinking} with a budget of 1024/4096/16384 tokens (below the output limit;
 * not sent when the limit is too small for one).
 *
 * <p>Answer: text blocks become the content, {@code thinking} blocks {@code reasoning_content}, {@code tool_use}
 * blocks {@code tool_calls}; {@code stop_reason} {@code end_turn/stop_sequence/max_tokens/tool_use/refusal} becomes
 * {@code stop/stop/length/tool_calls/content_filter}. Usage: {@code prompt_tokens} = {@code input_tokens +
 * cache_read_input_tokens + cache_creation_input_tokens}, {@code prompt_tokens_details.cached_tokens} =
 * {@code cache_read_input_tokens}; the settlement prices the cache writes at {@code CreateCacheRatio} from the
 * upstream's own usage. Streams: {@code chat.completion.chunk}s (role, content, reasoning and {@code tool_calls}
 * deltas, the finish), the usage chunk when the client asked for it ({@code stream_options.include_usage}), then
 * {@code [DONE]}. Errors: OpenAI's {@code {"error":{message, type, param, code}}}.
 */
final class ChatViaMessages implements Translation {

    static final String PATH = "/v1/messages";
    static final String VERSION = "2023-06-01";
    static final int DEFAULT_MAX_TOKENS = 4096;

    private final JsonMapper json;
    private final WireFormat upstream;

    ChatViaMessages(JsonMapper json) {
        this.json = json;
        this.upstream = new MessagesFormat(json);
    }

    @Override
    public String channelType() {
        return Channel.TYPE_ANTHROPIC;
    }

    @Override
    public WireFormat upstreamFormat() {
        return upstream;
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        ObjectNode body = messagesRequest(ex.body(), channel.upstreamModel(ex.model()), ex.outputLimit(), ex.stream());
        return UpstreamRequest.post(channel.baseUrl() + PATH, json.writeValueAsBytes(body))
                .header("Content-Type", "application/json")
                .header("Accept", ex.stream() ? "text/event-stream" : "application/json")
                .header("x-api-key", channel.apiKey())
                .header("anthropic-version", VERSION)
                .build();
    }

    // ---- request ----------------------------------------------------------------------------------------------

    ObjectNode messagesRequest(ObjectNode c, String model, Integer limit, boolean stream) {
        ObjectNode o = json.createObjectNode();
        o.put("model", model);
        StringBuilder system = new StringBuilder();
        ArrayNode messages = json.createArrayNode();
        for (JsonNode m : c.path("messages")) {
            String role = m.path("role").asString("user");
            switch (role) {
                case "system", "developer" -> {
                    String text = MessagesViaChat.joinedText(m.get("content"));
                    if (text != null && !text.isEmpty()) {
                        system.append(system.isEmpty() ? "" : "\n").append(text);
                    }
                }
                case "assistant" -> append(messages, "assistant", assistantBlocks(m));
                case "tool" -> {
                    ArrayNode blocks = json.createArrayNode();
                    ObjectNode result = blocks.addObject().put("type", "tool_result");
                    result.put("tool_use_id", m.path("tool_call_id").asString(""));
                    String text = MessagesViaChat.joinedText(m.get("content"));
                    result.put("content", text == null ? "" : text);
                    append(messages, "user", blocks);
                }
                default -> append(messages, "user", userBlocks(m.get("content")));
            }
        }
        if (!system.isEmpty()) {
            o.put("system", system.toString());
        }
        o.set("messages", messages);
        Integer max = limit;
        if (max == null) {
            max = intOrNull(c.get("max_completion_tokens"));
        }
        if (max == null) {
            max = intOrNull(c.get("max_tokens"));
        }
        int maxTokens = max == null || max < 1 ? DEFAULT_MAX_TOKENS : max;
        o.put("max_tokens", maxTokens);
        for (String field : new String[] {"temperature", "top_p"}) {
            JsonNode v = c.get(field);
            if (v != null && v.isNumber()) { // OpenAI's temperature goes to 2, Anthropic's to 1
                o.set(field, v.decimalValue().compareTo(java.math.BigDecimal.ONE) > 0
                        ? json.getNodeFactory().numberNode(1) : v);
            }
        }
        JsonNode stop = c.get("stop");
        if (stop != null && stop.isString()) {
            o.putArray("stop_sequences").add(stop.asString());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            o.set("stop_sequences", stop.deepCopy());
        }
        if (c.path("user").isString()) {
            o.putObject("metadata").put("user_id", c.path("user").asString());
        }
        ArrayNode tools = tools(c.get("tools"));
        if (!tools.isEmpty()) {
            o.set("tools", tools);
            ObjectNode choice = toolChoice(c.get("tool_choice"));
            if (c.path("parallel_tool_calls").isBoolean() && !c.path("parallel_tool_calls").booleanValue()) {
                if (choice == null) {
                    choice = json.createObjectNode().put("type", "auto");
                }
                choice.put("disable_parallel_tool_use", true);
            }
            if (choice != null) {
                o.set("tool_choice", choice);
            }
        }
        int budget = switch (c.path("reasoning_effort").asString("")) {
            case "low", "minimal" -> 1024;
            case "medium" -> 4096;
            case "high" -> 16384;
            default -> 0;
        };
        budget = Math.min(budget, maxTokens - 1);
        if (budget >= 1024) { // Anthropic's smallest budget
            o.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        }
        if (stream) {
            o.put("stream", true);
        }
        return o;
    }

    /** Appends a turn, merged into the previous one when it has the same role. */
    private static void append(ArrayNode messages, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && role.equals(last.path("role").asString())) {
            ((ArrayNode) last.get("content")).addAll(blocks);
            return;
        }
        messages.addObject().put("role", role).set("content", blocks);
    }

    private ArrayNode userBlocks(JsonNode content) {
        ArrayNode blocks = json.createArrayNode();
        if (content == null || content.isNull()) {
            return blocks;
        }
        if (content.isString()) {
            if (!content.asString().isEmpty()) { // Anthropic refuses empty text blocks
                blocks.addObject().put("type", "text").put("text", content.asString());
            }
            return blocks;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asString("")) {
                case "text" -> {
                    if (!part.path("text").asString("").isEmpty()) {
                        blocks.addObject().put("type", "text").put("text", part.path("text").asString());
                    }
                }
                case "image_url" -> {
                    JsonNode image = part.get("image_url");
                    String url = image != null && image.isString() ? image.asString() : part.path("image_url")
                            .path("url").asString("");
                    ObjectNode source = blocks.addObject().put("type", "image").putObject("source");
                    int comma = url.indexOf(',');
                    if (url.startsWith("data:") && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
                        source.put("type", "base64");
                        source.put("media_type", url.substring(5, comma - ";base64".length()));
                        source.put("data", url.substring(comma + 1));
                    } else {
                        source.put("type", "url").put("url", url);
                    }
                }
                default -> { } // audio, files: not carried over
            }
        }
        return blocks;
    }

    private ArrayNode assistantBlocks(JsonNode m) {
        ArrayNode blocks = json.createArrayNode();
        String text = MessagesViaChat.joinedText(m.get("content"));
        if (text != null && !text.isEmpty()) {
            blocks.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : m.path("tool_calls")) {
            ObjectNode use = blocks.addObject().put("type", "tool_use");
            use.put("id", call.path("id").asString(""));
            use.put("name", call.path("function").path("name").asString(""));
            use.set("input", parseObject(call.path("function").path("arguments").asString("")));
        }
        return blocks;
    }

    private JsonNode parseObject(String text) {
        try {
            JsonNode n = json.readTree(text);
            return n != null && n.isObject() ? n : json.createObjectNode();
        } catch (JacksonException e) {
            return json.createObjectNode();
        }
    }

    private ArrayNode tools(JsonNode tools) {
        ArrayNode out = json.createArrayNode();
        if (tools == null || !tools.isArray()) {
            return out;
        }
        for (JsonNode t : tools) {
            JsonNode fn = t.get("function");
            if (fn == null || !fn.path("name").isString()) {
                continue;
            }
            ObjectNode tool = out.addObject().put("name", fn.path("name").asString());
            if (fn.path("description").isString()) {
                tool.put("description", fn.path("description").asString());
            }
            JsonNode params = fn.get("parameters");
            tool.set("input_schema", params != null && params.isObject() ? params.deepCopy()
                    : json.createObjectNode().put("type", "object"));
        }
        return out;
    }

    private ObjectNode toolChoice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isString()) {
            return switch (choice.asString()) {
                case "auto" -> json.createObjectNode().put("type", "auto");
                case "required" -> json.createObjectNode().put("type", "any");
                case "none" -> json.createObjectNode().put("type", "none");
                default -> null;
            };
        }
        String name = choice.path("function").path("name").asString("");
        return name.isEmpty() ? null : json.createObjectNode().put("type", "tool").put("name", name);
    }

    // ---- answer -----------------------------------------------------------------------------------------------

    @Override
    public JsonNode answer(RelayExchange ex, JsonNode m) {
        ObjectNode c = json.createObjectNode();
        c.put("id", chatId(m.path("id").asString("")));
        c.put("object", "chat.completion");
        c.put("created", System.currentTimeMillis() / 1000);
        c.put("model", m.path("model").asString(ex.model()));
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = json.createArrayNode();
        for (JsonNode block : m.path("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> text.append(block.path("text").asString(""));
                case "thinking" -> reasoning.append(block.path("thinking").asString(""));
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", block.path("id").asString(""));
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asString(""))
                            .put("arguments", json.writeValueAsString(block.path("input")));
                }
                default -> { }
            }
        }
        if (text.isEmpty() && !calls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (!reasoning.isEmpty()) {
            message.put("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(m.path("stop_reason").asString("end_turn")));
        c.set("usage", usage(m.path("usage")));
        return c;
    }

    static String finishReason(String stopReason) {
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    private static String chatId(String messageId) {
        return "chatcmpl-" + (messageId.startsWith("msg_") ? messageId.substring(4) : messageId);
    }

    /** OpenAI's usage for Anthropic counts: the cache tokens are part of the prompt. */
    private ObjectNode usage(Counts counts) {
        ObjectNode u = json.createObjectNode();
        long prompt = (long) counts.input + counts.read + counts.creation;
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", counts.output);
        u.put("total_tokens", prompt + counts.output);
        u.putObject("prompt_tokens_details").put("cached_tokens", counts.read);
        return u;
    }

    private ObjectNode usage(JsonNode anthropicUsage) {
        Counts counts = new Counts();
        counts.add(anthropicUsage, true);
        return usage(counts);
    }

    /** Anthropic's cumulative counts of one answer (the largest seen wins). */
    private static final class Counts {
        int input;
        int read;
        int creation;
        int output;

        void add(JsonNode u, boolean withOutput) {
            if (u == null || !u.isObject()) {
                return;
            }
            input = Math.max(input, count(u.get("input_tokens")));
            read = Math.max(read, count(u.get("cache_read_input_tokens")));
            creation = Math.max(creation, count(u.get("cache_creation_input_tokens")));
            if (withOutput && intOrNull(u.get("output_tokens")) != null) {
                output = count(u.get("output_tokens"));
            }
        }
    }

    @Override
    public byte[] error(int status, byte[] body) {
        String message;
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        try {
            JsonNode n = json.readTree(body);
            JsonNode err = n == null ? null : n.path("error");
            message = err != null && err.path("message").isString() ? err.path("message").asString()
                    : new String(body, StandardCharsets.UTF_8);
            if (err != null && err.path("type").isString()) {
                type = err.path("type").asString();
            }
        } catch (JacksonException e) {
            message = new String(body, StandardCharsets.UTF_8);
        }
        ObjectNode out = json.createObjectNode();
        out.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
        return json.writeValueAsBytes(out);
    }

    @Override
    public byte[] trailerOnBreak() {
        return null; // OpenAI streams end without an error event; the client sees no [DONE]
    }

    @Override
    public StreamTranslator stream(RelayExchange ex) {
        JsonNode include = ex.body().path("stream_options").path("include_usage");
        return new Stream(ex.model(), include.isBoolean() && include.booleanValue());
    }

    /** Anthropic events to chat chunks. */
    private final class Stream implements StreamTranslator {

        private final boolean includeUsage;
        private final Counts counts = new Counts();
        private String id = "chatcmpl-";
        private String model;
        private final long created = System.currentTimeMillis() / 1000;
        private int toolIndex = -1;
        private boolean done;

        Stream(String model, boolean includeUsage) {
            this.model = model;
            this.includeUsage = includeUsage;
        }

        @Override
        public byte[] onEvent(String event, JsonNode e, String raw) {
            if (e == null || done) {
                return null;
            }
            SseOut out = new SseOut(json);
            switch (e.path("type").asString("")) {
                case "message_start" -> {
                    JsonNode m = e.path("message");
                    id = chatId(m.path("id").asString(""));
                    model = m.path("model").asString(model);
                    counts.add(m.path("usage"), false);
                    ObjectNode delta = json.createObjectNode().put("role", "assistant").put("content", "");
                    out.event(null, chunk(delta, null));
                }
                case "content_block_start" -> {
                    JsonNode block = e.path("content_block");
                    if ("tool_use".equals(block.path("type").asString(""))) {
                        toolIndex++;
                        ObjectNode call = json.createObjectNode().put("index", toolIndex);
                        call.put("id", block.path("id").asString(""));
                        call.put("type", "function");
                        call.putObject("function").put("name", block.path("name").asString("")).put("arguments", "");
                        ObjectNode delta = json.createObjectNode();
                        delta.putArray("tool_calls").add(call);
                        out.event(null, chunk(delta, null));
                    }
                }
                case "content_block_delta" -> {
                    JsonNode d = e.path("delta");
                    ObjectNode delta = json.createObjectNode();
                    switch (d.path("type").asString("")) {
                        case "text_delta" -> delta.put("content", d.path("text").asString(""));
                        case "thinking_delta" -> delta.put("reasoning_content", d.path("thinking").asString(""));
                        case "input_json_delta" -> {
                            ObjectNode call = json.createObjectNode().put("index", Math.max(0, toolIndex));
                            call.putObject("function").put("arguments", d.path("partial_json").asString(""));
                            delta.putArray("tool_calls").add(call);
                        }
                        default -> {
                            return null; // signature deltas, citations: nothing in chat
                        }
                    }
                    out.event(null, chunk(delta, null));
                }
                case "message_delta" -> {
                    counts.add(e.path("usage"), true);
                    String stop = e.path("delta").path("stop_reason").asString("");
                    if (!stop.isEmpty()) {
                        out.event(null, chunk(json.createObjectNode(), finishReason(stop)));
                    }
                }
                case "message_stop" -> {
                    done = true;
                    if (includeUsage) {
                        ObjectNode last = base();
                        last.putArray("choices");
                        last.set("usage", usage(counts));
                        out.event(null, last);
                    }
                    out.data("[DONE]");
                }
                case "error" -> {
                    done = true;
                    ObjectNode err = json.createObjectNode();
                    err.putObject("error").put("message", e.path("error").path("message").asString("upstream error"))
                            .put("type", e.path("error").path("type").asString("server_error"))
                            .putNull("param").putNull("code");
                    out.event(null, err);
                }
                default -> {
                    return null; // ping, content_block_stop
                }
            }
            return out.bytes();
        }

        private ObjectNode base() {
            ObjectNode c = json.createObjectNode();
            c.put("id", id);
            c.put("object", "chat.completion.chunk");
            c.put("created", created);
            c.put("model", model);
            return c;
        }

        private ObjectNode chunk(ObjectNode delta, String finish) {
            ObjectNode c = base();
            ObjectNode choice = c.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            if (finish == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finish);
            }
            return c;
        }
    }
}
