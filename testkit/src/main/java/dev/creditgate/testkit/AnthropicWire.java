package dev.creditgate.testkit;

import java.util.List;

/** Anthropic wire formats: messages (plain and SSE), count_tokens, models, errors. */
final class AnthropicWire {

    private AnthropicWire() {
    }

    static String message(Call call) {
        return message(call, null);
    }

    /** With {@code tool} (may be null): a {@code tool_use} block after the text, stop reason {@code tool_use}. */
    static String message(Call call, ToolCall toolOrNull) {
        ToolCall tool = call.truncated() ? null : toolOrNull;
        StringBuilder sb = new StringBuilder(480);
        sb.append("{\"id\":\"").append(Call.randomId("msg_01", 22, false))
                .append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.str(sb, call.model());
        sb.append(",\"content\":[{\"type\":\"text\",\"text\":");
        Json.str(sb, call.text());
        sb.append('}');
        if (tool != null) {
            sb.append(",{\"type\":\"tool_use\",\"id\":\"toolu_").append(tool.id()).append("\",\"name\":");
            Json.str(sb, tool.name()).append(",\"input\":").append(tool.arguments()).append('}');
        }
        sb.append("],\"stop_reason\":\"").append(stopReason(call, tool)).append("\",\"stop_sequence\":null");
        if (!call.omitUsage()) {
            sb.append(",\"usage\":");
            usage(sb, call, call.completionTokens(), true);
        }
        return sb.append('}').toString();
    }

    static void messageStream(Call call, Sse sse) {
        messageStream(call, sse, null);
    }

    /** With {@code tool} (may be null): a second block, {@code tool_use}, its input in two {@code input_json_delta}s. */
    static void messageStream(Call call, Sse sse, ToolCall tool) {
        StringBuilder start = new StringBuilder(400);
        start.append("{\"type\":\"message_start\",\"message\":{\"id\":\"").append(Call.randomId("msg_01", 22, false))
                .append("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
        Json.str(start, call.model());
        start.append(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":");
        usage(start, call, 1, true);
        sse.event("message_start", start.append("}}").toString());
        sse.event("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        sse.event("ping", "{\"type\": \"ping\"}");
        sse.beforeContent();
        for (String chunk : call.chunks()) {
            StringBuilder sb = new StringBuilder(100 + chunk.length())
                    .append("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":");
            Json.str(sb, chunk).append("}}");
            sse.content("content_block_delta", sb.toString());
        }
        sse.event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        boolean withTool = tool != null && !call.truncated();
        if (withTool) {
            StringBuilder sb = new StringBuilder("{\"type\":\"content_block_start\",\"index\":1,\"content_block\":")
                    .append("{\"type\":\"tool_use\",\"id\":\"toolu_").append(tool.id()).append("\",\"name\":");
            Json.str(sb, tool.name()).append(",\"input\":{}}}");
            sse.event("content_block_start", sb.toString());
            for (String piece : tool.pieces()) {
                StringBuilder p = new StringBuilder("{\"type\":\"content_block_delta\",\"index\":1,\"delta\":")
                        .append("{\"type\":\"input_json_delta\",\"partial_json\":");
                Json.str(p, piece).append("}}");
                sse.event("content_block_delta", p.toString());
            }
            sse.event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}");
        }
        StringBuilder delta = new StringBuilder(240);
        delta.append("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"")
                .append(stopReason(call, withTool ? tool : null))
                .append("\",\"stop_sequence\":null}");
        if (!call.omitUsage()) {
            delta.append(",\"usage\":");
            usage(delta, call, call.completionTokens(), false);
        }
        sse.event("message_delta", delta.append('}').toString());
        sse.event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static String countTokens(long inputTokens) {
        return "{\"input_tokens\":" + inputTokens + "}";
    }

    private static String stopReason(Call call, ToolCall tool) {
        return call.truncated() ? "max_tokens" : tool != null ? "tool_use" : "end_turn";
    }

    /** Anthropic's usage: {@code input_tokens} is the uncached part of the prompt. */
    private static void usage(StringBuilder sb, Call call, long output, boolean serviceTier) {
        Call.Cache c = call.cache();
        sb.append("{\"input_tokens\":").append(Math.max(0, call.promptTokens() - c.total()))
                .append(",\"cache_creation_input_tokens\":").append(c.write() + c.write1h())
                .append(",\"cache_read_input_tokens\":").append(c.read())
                .append(",\"cache_creation\":{\"ephemeral_5m_input_tokens\":").append(c.write())
                .append(",\"ephemeral_1h_input_tokens\":").append(c.write1h())
                .append("},\"output_tokens\":").append(output);
        if (serviceTier) {
            sb.append(",\"service_tier\":\"standard\"");
        }
        sb.append('}');
    }

    static String models(List<String> ids) {
        StringBuilder sb = new StringBuilder(64 + ids.size() * 110).append("{\"data\":[");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"type\":\"model\",\"id\":");
            Json.str(sb, ids.get(i)).append(",\"display_name\":");
            Json.str(sb, ids.get(i)).append(",\"created_at\":\"2025-01-01T00:00:00Z\"}");
        }
        sb.append("],\"has_more\":false,\"first_id\":");
        Json.str(sb, ids.isEmpty() ? null : ids.getFirst()).append(",\"last_id\":");
        return Json.str(sb, ids.isEmpty() ? null : ids.getLast()).append('}').toString();
    }

    static String error(int status, String message) {
        String type;
        String defaultMessage;
        switch (status) {
            case 400 -> { type = "invalid_request_error"; defaultMessage = "Bad request."; }
            case 401 -> { type = "authentication_error"; defaultMessage = "invalid x-api-key"; }
            case 403 -> { type = "permission_error"; defaultMessage = "Your API key does not have permission to use the specified resource."; }
            case 404 -> { type = "not_found_error"; defaultMessage = "The requested resource could not be found."; }
            case 413 -> { type = "request_too_large"; defaultMessage = "Request exceeds the maximum allowed number of bytes."; }
            case 429 -> { type = "rate_limit_error"; defaultMessage = "Number of request tokens has exceeded your per-minute rate limit."; }
            case 529 -> { type = "overloaded_error"; defaultMessage = "Overloaded"; }
            default -> {
                type = status >= 500 ? "api_error" : "invalid_request_error";
                defaultMessage = status >= 500 ? "Internal server error" : "Mock upstream error " + status + ".";
            }
        }
        return error(type, message == null ? defaultMessage : message);
    }

    static String error(String type, String message) {
        StringBuilder sb = new StringBuilder(160).append("{\"type\":\"error\",\"error\":{\"type\":");
        Json.str(sb, type).append(",\"message\":");
        Json.str(sb, message).append("},\"request_id\":\"").append(Call.randomId("req_011", 21, false));
        return sb.append("\"}").toString();
    }
}
