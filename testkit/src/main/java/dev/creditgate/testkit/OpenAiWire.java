package dev.creditgate.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import tools.jackson.databind.JsonNode;

/** OpenAI wire formats: chat completions, responses, embeddings, models, errors. */
final class OpenAiWire {

    static final String FINGERPRINT = "fp_c0ffee0a1b";

    private OpenAiWire() {
    }

    // ---- chat completions ----------------------------------------------------------------

    static String chatCompletion(Call call) {
        return chatCompletion(call, null);
    }

    /** With {@code tool} (may be null): the text, then the tool call, finish reason {@code tool_calls}. */
    static String chatCompletion(Call call, ToolCall toolOrNull) {
        ToolCall tool = call.truncated() ? null : toolOrNull;
        StringBuilder sb = new StringBuilder(640);
        sb.append("{\"id\":");
        Json.str(sb, Call.randomId("chatcmpl-", 29, false));
        sb.append(",\"object\":\"chat.completion\",\"created\":").append(call.created()).append(",\"model\":");
        Json.str(sb, call.model());
        sb.append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
        Json.str(sb, call.text());
        sb.append(",\"refusal\":null,\"annotations\":[]");
        if (tool != null) {
            sb.append(",\"tool_calls\":[{\"id\":\"call_").append(tool.id()).append("\",\"type\":\"function\",")
                    .append("\"function\":{\"name\":");
            Json.str(sb, tool.name()).append(",\"arguments\":");
            Json.str(sb, tool.arguments()).append("}}]");
        }
        sb.append("},\"logprobs\":null,\"finish_reason\":\"").append(finishReason(call, tool)).append("\"}]");
        if (!call.omitUsage()) {
            sb.append(",\"usage\":");
            chatUsage(sb, call);
        }
        sb.append(",\"service_tier\":\"default\",\"system_fingerprint\":\"").append(FINGERPRINT).append("\"}");
        return sb.toString();
    }

    private static String finishReason(Call call, ToolCall tool) {
        return call.truncated() ? "length" : tool != null ? "tool_calls" : "stop";
    }

    static void chatStream(Call call, Sse sse, boolean includeUsage) {
        chatStream(call, sse, includeUsage, null);
    }

    /** With {@code tool} (may be null): after the content, the call's id and name, then its arguments in two deltas. */
    static void chatStream(Call call, Sse sse, boolean includeUsage, ToolCall tool) {
        boolean usageChunk = includeUsage && !call.omitUsage();
        StringBuilder head = new StringBuilder(200);
        head.append("{\"id\":");
        Json.str(head, Call.randomId("chatcmpl-", 29, false));
        head.append(",\"object\":\"chat.completion.chunk\",\"created\":").append(call.created()).append(",\"model\":");
        Json.str(head, call.model());
        head.append(",\"service_tier\":\"default\",\"system_fingerprint\":\"").append(FINGERPRINT)
                .append("\",\"choices\":[");
        String prefix = head.toString();
        String suffix = usageChunk ? "],\"usage\":null}" : "]}";

        sse.event(null, prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}" + suffix);
        sse.beforeContent();
        for (String chunk : call.chunks()) {
            StringBuilder sb = new StringBuilder(prefix.length() + chunk.length() + 96).append(prefix)
                    .append("{\"index\":0,\"delta\":{\"content\":");
            Json.str(sb, chunk).append("},\"logprobs\":null,\"finish_reason\":null}").append(suffix);
            sse.content(null, sb.toString());
        }
        if (tool != null && !call.truncated()) {
            StringBuilder sb = new StringBuilder(prefix).append("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,")
                    .append("\"id\":\"call_").append(tool.id()).append("\",\"type\":\"function\",\"function\":{\"name\":");
            Json.str(sb, tool.name()).append(",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}");
            sse.event(null, sb.append(suffix).toString());
            for (String piece : tool.pieces()) {
                StringBuilder p = new StringBuilder(prefix)
                        .append("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":");
                Json.str(p, piece).append("}}]},\"logprobs\":null,\"finish_reason\":null}");
                sse.event(null, p.append(suffix).toString());
            }
        }
        sse.event(null, prefix + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\""
                + finishReason(call, tool) + "\"}" + suffix);
        if (usageChunk) {
            StringBuilder sb = new StringBuilder(prefix.length() + 300).append(prefix).append("],\"usage\":");
            chatUsage(sb, call);
            sse.event(null, sb.append('}').toString());
        }
        sse.event(null, "[DONE]");
    }

    private static void chatUsage(StringBuilder sb, Call call) {
        sb.append("{\"prompt_tokens\":").append(call.promptTokens())
                .append(",\"completion_tokens\":").append(call.completionTokens())
                .append(",\"total_tokens\":").append(call.totalTokens())
                .append(",\"prompt_tokens_details\":{\"cached_tokens\":").append(call.cache().read())
                .append(",\"audio_tokens\":0}")
                .append(",\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,")
                .append("\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}");
    }

    // ---- responses -----------------------------------------------------------------------

    /** Ids shared by all events of one response. */
    private record ResponseIds(String response, String message) {
        static ResponseIds random() {
            return new ResponseIds(Call.randomId("resp_", 48, true), Call.randomId("msg_", 48, true));
        }
    }

    static String response(Call call) {
        return responseObject(call, ResponseIds.random(), true);
    }

    static void responseStream(Call call, Sse sse) {
        ResponseIds ids = ResponseIds.random();
        int seq = 0;
        String inProgress = responseObject(call, ids, false);
        sse.event("response.created", "{\"type\":\"response.created\",\"sequence_number\":" + seq++
                + ",\"response\":" + inProgress + "}");
        sse.event("response.in_progress", "{\"type\":\"response.in_progress\",\"sequence_number\":" + seq++
                + ",\"response\":" + inProgress + "}");
        sse.event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"sequence_number\":"
                + seq++ + ",\"output_index\":0,\"item\":{\"id\":\"" + ids.message()
                + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}}");
        String itemRef = ",\"item_id\":\"" + ids.message() + "\",\"output_index\":0,\"content_index\":0";
        sse.event("response.content_part.added", "{\"type\":\"response.content_part.added\",\"sequence_number\":"
                + seq++ + itemRef + ",\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"\"}}");
        sse.beforeContent();
        for (String chunk : call.chunks()) {
            StringBuilder sb = new StringBuilder(200 + chunk.length())
                    .append("{\"type\":\"response.output_text.delta\",\"sequence_number\":").append(seq++)
                    .append(itemRef).append(",\"delta\":");
            Json.str(sb, chunk).append(",\"logprobs\":[]}");
            sse.content("response.output_text.delta", sb.toString());
        }
        String text = Json.quote(call.text());
        sse.event("response.output_text.done", "{\"type\":\"response.output_text.done\",\"sequence_number\":"
                + seq++ + itemRef + ",\"text\":" + text + ",\"logprobs\":[]}");
        sse.event("response.content_part.done", "{\"type\":\"response.content_part.done\",\"sequence_number\":"
                + seq++ + itemRef + ",\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":"
                + text + "}}");
        StringBuilder item = new StringBuilder(300);
        outputItem(item, call, ids);
        sse.event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"sequence_number\":"
                + seq++ + ",\"output_index\":0,\"item\":" + item + "}");
        String last = call.truncated() ? "response.incomplete" : "response.completed";
        sse.event(last, "{\"type\":\"" + last + "\",\"sequence_number\":" + seq
                + ",\"response\":" + responseObject(call, ids, true) + "}");
    }

    private static void outputItem(StringBuilder sb, Call call, ResponseIds ids) {
        sb.append("{\"id\":\"").append(ids.message()).append("\",\"type\":\"message\",\"status\":\"")
                .append(call.truncated() ? "incomplete" : "completed")
                .append("\",\"content\":[{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":");
        Json.str(sb, call.text()).append("}],\"role\":\"assistant\"}");
    }

    /** The {@code response} object; {@code done=false} gives the in-progress form (no output, no usage). */
    private static String responseObject(Call call, ResponseIds ids, boolean done) {
        JsonNode req = call.request();
        String status = !done ? "in_progress" : call.truncated() ? "incomplete" : "completed";
        StringBuilder sb = new StringBuilder(1200);
        sb.append("{\"id\":\"").append(ids.response()).append("\",\"object\":\"response\",\"created_at\":")
                .append(call.created()).append(",\"status\":\"").append(status)
                .append("\",\"background\":false,\"error\":null,\"incomplete_details\":")
                .append(done && call.truncated() ? "{\"reason\":\"max_output_tokens\"}" : "null")
                .append(",\"instructions\":");
        Json.str(sb, Json.text(req.get("instructions")));
        long maxOutput = Json.number(req.get("max_output_tokens"), -1);
        sb.append(",\"max_output_tokens\":").append(maxOutput < 0 ? "null" : Long.toString(maxOutput))
                .append(",\"max_tool_calls\":null,\"model\":");
        Json.str(sb, call.model());
        sb.append(",\"output\":[");
        if (done) {
            outputItem(sb, call, ids);
        }
        sb.append("],\"parallel_tool_calls\":true,\"previous_response_id\":");
        Json.str(sb, Json.text(req.get("previous_response_id")));
        sb.append(",\"prompt_cache_key\":null,\"reasoning\":{\"effort\":null,\"summary\":null},")
                .append("\"safety_identifier\":null,\"service_tier\":\"default\",\"store\":")
                .append(Json.bool(req.get("store"), true))
                .append(",\"temperature\":").append(numberOr(req.get("temperature"), "1.0"))
                .append(",\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"medium\"},")
                .append("\"tool_choice\":\"auto\",\"tools\":[],\"top_logprobs\":0,\"top_p\":")
                .append(numberOr(req.get("top_p"), "1.0")).append(",\"truncation\":\"disabled\",\"usage\":");
        if (done && !call.omitUsage()) {
            sb.append("{\"input_tokens\":").append(call.promptTokens())
                    .append(",\"input_tokens_details\":{\"cached_tokens\":").append(call.cache().read())
                    .append("},\"output_tokens\":")
                    .append(call.completionTokens())
                    .append(",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":")
                    .append(call.totalTokens()).append('}');
        } else {
            sb.append("null");
        }
        sb.append(",\"user\":null,\"metadata\":");
        JsonNode metadata = req.get("metadata");
        sb.append(metadata != null && metadata.isObject() ? metadata.toString() : "{}");
        return sb.append('}').toString();
    }

    private static String numberOr(JsonNode node, String dflt) {
        return node != null && node.isNumber() ? node.toString() : dflt;
    }

    // ---- embeddings ----------------------------------------------------------------------

    /** The inputs of an embeddings request, each as text (token arrays as their JSON). */
    static List<String> embeddingInputs(JsonNode input) {
        List<String> inputs = new ArrayList<>();
        if (input == null || input.isNull() || input.isMissingNode()) {
            return inputs;
        }
        if (input.isString()) {
            inputs.add(input.stringValue());
        } else if (input.isArray()) {
            boolean tokenArray = input.size() > 0 && input.get(0).isNumber();
            if (tokenArray) {
                inputs.add(input.toString());
            } else {
                for (JsonNode element : input) {
                    inputs.add(element.isString() ? element.stringValue() : element.toString());
                }
            }
        }
        return inputs;
    }

    static String embeddings(Call call, List<String> inputs, int dimensions, boolean base64) {
        StringBuilder sb = new StringBuilder(200 + inputs.size() * dimensions * 12);
        sb.append("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = vector(inputs.get(i), dimensions);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":");
            if (base64) {
                ByteBuffer buffer = ByteBuffer.allocate(dimensions * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : vector) {
                    buffer.putFloat(v);
                }
                sb.append('"').append(Base64.getEncoder().encodeToString(buffer.array())).append('"');
            } else {
                sb.append('[');
                for (int d = 0; d < dimensions; d++) {
                    if (d > 0) {
                        sb.append(',');
                    }
                    sb.append(vector[d]);
                }
                sb.append(']');
            }
            sb.append('}');
        }
        sb.append("],\"model\":");
        Json.str(sb, call.model());
        if (!call.omitUsage()) {
            sb.append(",\"usage\":{\"prompt_tokens\":").append(call.promptTokens())
                    .append(",\"total_tokens\":").append(call.promptTokens()).append('}');
        }
        return sb.append('}').toString();
    }

    /** A deterministic vector of exact binary fractions in [-0.5, 0.5) derived from the input. */
    static float[] vector(String input, int dimensions) {
        float[] v = new float[dimensions];
        long state = input.hashCode() * 0x9E3779B97F4A7C15L + 1;
        for (int d = 0; d < dimensions; d++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            v[d] = ((int) (state >>> 54) - 512) / 1024f;
        }
        return v;
    }

    // ---- models and errors ---------------------------------------------------------------

    static String models(List<String> ids) {
        StringBuilder sb = new StringBuilder(64 + ids.size() * 90).append("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":");
            Json.str(sb, ids.get(i)).append(",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"creditgate-mock\"}");
        }
        return sb.append("]}").toString();
    }

    static String error(int status, String message) {
        String type;
        String code;
        String defaultMessage;
        switch (status) {
            case 400 -> { type = "invalid_request_error"; code = null; defaultMessage = "Bad request."; }
            case 401 -> { type = "invalid_request_error"; code = "invalid_api_key"; defaultMessage = "Incorrect API key provided."; }
            case 403 -> { type = "invalid_request_error"; code = "unsupported_country_region_territory"; defaultMessage = "Country, region, or territory not supported"; }
            case 404 -> { type = "invalid_request_error"; code = "model_not_found"; defaultMessage = "The model does not exist or you do not have access to it."; }
            case 429 -> { type = "requests"; code = "rate_limit_exceeded"; defaultMessage = "Rate limit reached for requests. Please try again in 1s."; }
            case 500 -> { type = "server_error"; code = null; defaultMessage = "The server had an error while processing your request. Sorry about that!"; }
            case 503 -> { type = "server_error"; code = null; defaultMessage = "The engine is currently overloaded, please try again later"; }
            default -> {
                type = status >= 500 ? "server_error" : "invalid_request_error";
                code = null;
                defaultMessage = "Mock upstream error " + status + ".";
            }
        }
        return error(message == null ? defaultMessage : message, type, code);
    }

    static String error(String message, String type, String code) {
        StringBuilder sb = new StringBuilder(160).append("{\"error\":{\"message\":");
        Json.str(sb, message).append(",\"type\":");
        Json.str(sb, type).append(",\"param\":null,\"code\":");
        return Json.str(sb, code).append("}}").toString();
    }
}
