package dev.creditgate.gateway.pricing;

import java.util.Locale;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

import tools.jackson.databind.JsonNode;

/**
 * Counts prompt tokens of parsed request bodies with tiktoken encodings (jtokkit): {@code o200k_base} for the
 * gpt-4o / gpt-4.1 / gpt-4.5 / gpt-5 / o-series families, {@code cl100k_base} for every other model
 * (for Claude and other non-OpenAI models this is an approximation).
 *
 * <p>Chat messages are counted as OpenAI's cookbook does (and OpenAI bills): 3 tokens per message, the
 * role, the content, the name plus 1, and 3 tokens priming the reply. Tools add 8 tokens each plus their
 * name, description and parameters (compact JSON). Images, audio and files are not downloaded: they count
 * a fixed number of tokens. See {@code gateway/PRICING.md} for where this differs from new-api.
 *
 * <p>The two encodings are loaded once (about half a second) and shared; instances are thread-safe.
 */
public final class TokenCounter {

    public static final int TOKENS_PER_MESSAGE = 3;
    public static final int TOKENS_PER_NAME = 1;
    public static final int REPLY_PRIMING_TOKENS = 3;
    public static final int TOKENS_PER_TOOL = 8;
    /** An image with {@code detail: low} (OpenAI's base tokens for the gpt-4o family). */
    public static final int IMAGE_LOW_TOKENS = 85;
    /** Any other image: a 1024x1024 image at high detail (4 tiles x 170 + 85). */
    public static final int IMAGE_TOKENS = 765;
    /** An image block of an Anthropic request (Anthropic: about 1,600 tokens for a 1092x1092 image). */
    public static final int ANTHROPIC_IMAGE_TOKENS = 1600;
    /** An audio input part (new-api's constant). */
    public static final int AUDIO_TOKENS = 256;
    /** An inline image (or other media part) of a Gemini request: Google counts 258 tokens per image. */
    public static final int GEMINI_MEDIA_TOKENS = 258;
    /** A file or document part (new-api's constant). */
    public static final int FILE_TOKENS = 4096;

    public static final String O200K_BASE = "o200k_base";
    public static final String CL100K_BASE = "cl100k_base";

    private final Encoding cl100k;
    private final Encoding o200k;

    /** Loads both encodings; prefer {@link #shared()}. */
    public TokenCounter() {
        EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
        this.cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
        this.o200k = registry.getEncoding(EncodingType.O200K_BASE);
    }

    private static final class Holder {
        static final TokenCounter INSTANCE = new TokenCounter();
    }

    /** The process-wide instance (encodings loaded on first use). */
    public static TokenCounter shared() {
        return Holder.INSTANCE;
    }

    /** {@value #O200K_BASE} or {@value #CL100K_BASE}, the encoding used for {@code model}. */
    public static String encodingName(String model) {
        return usesO200k(model) ? O200K_BASE : CL100K_BASE;
    }

    static boolean usesO200k(String model) {
        if (model == null) {
            return false;
        }
        String name = model.toLowerCase(Locale.ROOT).strip();
        int slash = name.lastIndexOf('/');
        if (slash >= 0) {
            name = name.substring(slash + 1);           // "openai/gpt-4o" -> "gpt-4o"
        }
        return name.startsWith("gpt-4o") || name.startsWith("chatgpt-4o") || name.startsWith("gpt-4.1")
                || name.startsWith("gpt-4.5") || name.startsWith("gpt-5") || name.startsWith("gpt-oss")
                || name.startsWith("o1") || name.startsWith("o3") || name.startsWith("o4");
    }

    private Encoding encoding(String model) {
        return usesO200k(model) ? o200k : cl100k;
    }

    /** Tokens of a plain text (e.g. completion text when an upstream stream sent no usage). Special tokens count as text. */
    public int countText(String model, String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        return encoding(model).countTokensOrdinary(text);
    }

    // ---------------------------------------------------------------- OpenAI chat completions

    /** Prompt tokens of an OpenAI {@code /v1/chat/completions} body: messages, tools/functions, reply priming. */
    public int countChatCompletion(String model, JsonNode body) {
        if (body == null || !body.isObject()) {
            return 0;
        }
        Encoding enc = encoding(model);
        long total = 0;
        JsonNode messages = body.get("messages");
        if (messages != null && messages.isArray()) {
            for (JsonNode message : messages) {
                total += countChatMessage(enc, message);
            }
        }
        total += REPLY_PRIMING_TOKENS;
        total += countTools(enc, body.get("tools"));
        total += countTools(enc, body.get("functions"));
        return clamp(total);
    }

    private long countChatMessage(Encoding enc, JsonNode message) {
        if (message == null || !message.isObject()) {
            return 0;
        }
        long total = TOKENS_PER_MESSAGE;
        total += count(enc, text(message.get("role")));
        JsonNode name = message.get("name");
        if (name != null && name.isString()) {
            total += count(enc, name.stringValue()) + TOKENS_PER_NAME;
        }
        total += countContent(enc, message.get("content"));
        JsonNode toolCalls = message.get("tool_calls");
        if (toolCalls != null && toolCalls.isArray()) {
            for (JsonNode call : toolCalls) {
                total += countFunctionCall(enc, call.get("function"));
            }
        }
        total += countFunctionCall(enc, message.get("function_call"));
        return total;
    }

    private long countFunctionCall(Encoding enc, JsonNode function) {
        if (function == null || !function.isObject()) {
            return 0;
        }
        return count(enc, text(function.get("name"))) + count(enc, textOrJson(function.get("arguments")));
    }

    /** A content value: a string, or an array of parts (text, image, audio, file). */
    private long countContent(Encoding enc, JsonNode content) {
        if (content == null || content.isNull()) {
            return 0;
        }
        if (content.isString()) {
            return count(enc, content.stringValue());
        }
        if (!content.isArray()) {
            return 0;
        }
        long total = 0;
        for (JsonNode part : content) {
            total += countPart(enc, part);
        }
        return total;
    }

    private long countPart(Encoding enc, JsonNode part) {
        if (part == null) {
            return 0;
        }
        if (part.isString()) {
            return count(enc, part.stringValue());
        }
        if (!part.isObject()) {
            return 0;
        }
        String type = text(part.get("type"));
        return switch (type) {
            case "text", "input_text", "output_text" -> count(enc, text(part.get("text")));
            case "refusal" -> count(enc, text(part.get("refusal")));
            case "image_url" -> "low".equals(text(part.path("image_url").get("detail"))) ? IMAGE_LOW_TOKENS : IMAGE_TOKENS;
            case "input_image" -> "low".equals(text(part.get("detail"))) ? IMAGE_LOW_TOKENS : IMAGE_TOKENS;
            case "input_audio" -> AUDIO_TOKENS;
            case "file", "input_file" -> FILE_TOKENS;
            default -> 0;
        };
    }

    /**
     * Tools of chat ({@code {type, function: {name, description, parameters}}}), legacy functions and
     * Responses ({@code {type: "function", name, description, parameters}}): 8 each plus their text.
     */
    private long countTools(Encoding enc, JsonNode tools) {
        if (tools == null || !tools.isArray()) {
            return 0;
        }
        long total = 0;
        for (JsonNode tool : tools) {
            if (tool == null || !tool.isObject()) {
                continue;
            }
            JsonNode function = tool.has("function") && tool.get("function").isObject() ? tool.get("function") : tool;
            total += TOKENS_PER_TOOL;
            total += count(enc, text(function.get("name")));
            total += count(enc, text(function.get("description")));
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull()) {
                total += count(enc, parameters.toString());
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- embeddings

    /**
     * Tokens of an OpenAI {@code /v1/embeddings} body's {@code input}: a string, an array of strings (each
     * counted on its own, summed), or pre-tokenised input (an array of ints, or of int arrays: their length).
     */
    public int countEmbeddingInput(String model, JsonNode body) {
        if (body == null || !body.isObject()) {
            return 0;
        }
        Encoding enc = encoding(model);
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            return 0;
        }
        if (input.isString()) {
            return clamp(count(enc, input.stringValue()));
        }
        if (!input.isArray()) {
            return 0;
        }
        long total = 0;
        for (JsonNode item : input) {
            if (item.isString()) {
                total += count(enc, item.stringValue());
            } else if (item.isNumber()) {
                total += 1;
            } else if (item.isArray()) {
                total += item.size();
            }
        }
        return clamp(total);
    }

    // ---------------------------------------------------------------- Responses API

    /**
     * Prompt tokens of an OpenAI {@code /v1/responses} body: {@code instructions} and {@code input} (a string,
     * counted as one user message, or items: messages with string or part content, function calls and their
     * outputs), tools, and the reply priming, with the chat per-message overhead.
     */
    public int countResponsesInput(String model, JsonNode body) {
        if (body == null || !body.isObject()) {
            return 0;
        }
        Encoding enc = encoding(model);
        long total = 0;
        JsonNode instructions = body.get("instructions");
        if (instructions != null && instructions.isString()) {
            total += TOKENS_PER_MESSAGE + count(enc, instructions.stringValue());
        }
        JsonNode input = body.get("input");
        if (input != null && input.isString()) {
            total += TOKENS_PER_MESSAGE + count(enc, "user") + count(enc, input.stringValue());
        } else if (input != null && input.isArray()) {
            for (JsonNode item : input) {
                total += countResponsesItem(enc, item);
            }
        }
        total += REPLY_PRIMING_TOKENS;
        total += countTools(enc, body.get("tools"));
        return clamp(total);
    }

    private long countResponsesItem(Encoding enc, JsonNode item) {
        if (item == null) {
            return 0;
        }
        if (item.isString()) {
            return count(enc, item.stringValue());
        }
        if (!item.isObject()) {
            return 0;
        }
        String type = text(item.get("type"));
        if (item.has("role") && (type.isEmpty() || type.equals("message"))) {
            return TOKENS_PER_MESSAGE + count(enc, text(item.get("role"))) + countContent(enc, item.get("content"));
        }
        return switch (type) {
            case "function_call", "custom_tool_call" ->
                    count(enc, text(item.get("name"))) + count(enc, textOrJson(item.get("arguments")))
                            + count(enc, textOrJson(item.get("input")));
            case "function_call_output", "custom_tool_call_output" -> {
                JsonNode output = item.get("output");
                yield output != null && output.isArray() ? countContent(enc, output) : count(enc, textOrJson(output));
            }
            default -> 0;
        };
    }

    // ---------------------------------------------------------------- Anthropic Messages

    /**
     * Prompt tokens of an Anthropic {@code /v1/messages} body: the text of {@code system}, of every message
     * (text, tool use input, tool results, thinking) and of the tools. No per-message overhead, as new-api
     * does for the Claude format; images count {@value #ANTHROPIC_IMAGE_TOKENS}, documents {@value #FILE_TOKENS}.
     */
    public int countAnthropicMessages(String model, JsonNode body) {
        if (body == null || !body.isObject()) {
            return 0;
        }
        Encoding enc = encoding(model);
        long total = countAnthropicContent(enc, body.get("system"));
        JsonNode messages = body.get("messages");
        if (messages != null && messages.isArray()) {
            for (JsonNode message : messages) {
                if (message != null && message.isObject()) {
                    total += countAnthropicContent(enc, message.get("content"));
                }
            }
        }
        JsonNode tools = body.get("tools");
        if (tools != null && tools.isArray()) {
            for (JsonNode tool : tools) {
                if (tool == null || !tool.isObject()) {
                    continue;
                }
                total += count(enc, text(tool.get("name")));
                total += count(enc, text(tool.get("description")));
                JsonNode schema = tool.get("input_schema");
                if (schema != null && !schema.isNull()) {
                    total += count(enc, schema.toString());
                }
            }
        }
        return clamp(total);
    }

    /**
     * Prompt tokens of a Gemini {@code generateContent} body: the parts of {@code systemInstruction} and of every
     * {@code contents} entry (text, thoughts, function calls and responses as JSON) and the tools' declarations.
     * Inline media counts {@value #GEMINI_MEDIA_TOKENS} (Google's count for an image), file references
     * {@value #FILE_TOKENS}.
     */
    public int countGeminiContents(String model, JsonNode body) {
        if (body == null || !body.isObject()) {
            return 0;
        }
        Encoding enc = encoding(model);
        long total = countGeminiParts(enc, body.path("systemInstruction").get("parts"));
        JsonNode contents = body.get("contents");
        if (contents != null && contents.isArray()) {
            for (JsonNode content : contents) {
                if (content != null && content.isObject()) {
                    total += countGeminiParts(enc, content.get("parts"));
                }
            }
        }
        JsonNode tools = body.get("tools");
        if (tools != null && tools.isArray()) {
            for (JsonNode tool : tools) {
                JsonNode declarations = tool == null ? null : tool.get("functionDeclarations");
                if (declarations != null && !declarations.isNull()) {
                    total += count(enc, declarations.toString());
                }
            }
        }
        return clamp(total);
    }

    private long countGeminiParts(Encoding enc, JsonNode parts) {
        if (parts == null || !parts.isArray()) {
            return 0;
        }
        long total = 0;
        for (JsonNode part : parts) {
            if (part == null || !part.isObject()) {
                continue;
            }
            total += count(enc, text(part.get("text")));
            if (part.has("functionCall")) {
                total += count(enc, textOrJson(part.get("functionCall")));
            }
            if (part.has("functionResponse")) {
                total += count(enc, textOrJson(part.get("functionResponse")));
            }
            if (part.has("inlineData")) {
                total += GEMINI_MEDIA_TOKENS;
            }
            if (part.has("fileData")) {
                total += FILE_TOKENS;
            }
        }
        return total;
    }

    private long countAnthropicContent(Encoding enc, JsonNode content) {
        if (content == null || content.isNull()) {
            return 0;
        }
        if (content.isString()) {
            return count(enc, content.stringValue());
        }
        if (!content.isArray()) {
            return 0;
        }
        long total = 0;
        for (JsonNode block : content) {
            if (block == null || !block.isObject()) {
                continue;
            }
            total += switch (text(block.get("type"))) {
                case "text" -> count(enc, text(block.get("text")));
                case "thinking" -> count(enc, text(block.get("thinking")));
                case "tool_use", "server_tool_use" -> count(enc, text(block.get("name")))
                        + count(enc, textOrJson(block.get("input")));
                case "tool_result" -> countAnthropicContent(enc, block.get("content"));
                case "image" -> ANTHROPIC_IMAGE_TOKENS;
                case "document" -> FILE_TOKENS;
                default -> 0;
            };
        }
        return total;
    }

    // ---------------------------------------------------------------- helpers

    private static long count(Encoding enc, String text) {
        return text == null || text.isEmpty() ? 0 : enc.countTokensOrdinary(text);
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : "";
    }

    /** A string node's text, or the compact JSON of any other non-null node. */
    private static String textOrJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        return node.isString() ? node.stringValue() : node.toString();
    }

    private static int clamp(long total) {
        return total > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) total;
    }
}
