package dev.creditgate.testkit;

import java.util.List;

/**
 * Google's Gemini API wire format ({@code generateContent}, {@code streamGenerateContent} as SSE or as a JSON array,
 * {@code GET /v1beta/models}, errors).
 */
final class GeminiWire {

    /** A {@code POST /v1beta/models/{model}:method} (or {@code /v1/models/...}) request's model and method. */
    record Target(String model, boolean stream) {
    }

    private GeminiWire() {
    }

    /** The model and method of a Gemini path, or null when the path is not one. */
    static Target target(String path) {
        String rest;
        if (path.startsWith("/v1beta/models/")) {
            rest = path.substring("/v1beta/models/".length());
        } else if (path.startsWith("/v1/models/")) {
            rest = path.substring("/v1/models/".length());
        } else {
            return null;
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || rest.indexOf('/') >= 0) {
            return null;
        }
        return switch (rest.substring(colon + 1)) {
            case "generateContent" -> new Target(rest.substring(0, colon), false);
            case "streamGenerateContent" -> new Target(rest.substring(0, colon), true);
            default -> null;
        };
    }

    static String response(Call call, long thoughts) {
        StringBuilder sb = new StringBuilder(480).append("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
        Json.str(sb, call.text());
        sb.append("}],\"role\":\"model\"},\"finishReason\":\"").append(finishReason(call)).append("\",\"index\":0}]");
        if (!call.omitUsage()) {
            sb.append(",\"usageMetadata\":");
            usage(sb, call, call.completionTokens(), thoughts);
        }
        return tail(sb, call).toString();
    }

    /** One event per content chunk, each with the usage so far (prompt only); the last one with the finish reason and the whole usage. */
    static void stream(Call call, Sse sse, long thoughts) {
        sse.beforeContent();
        List<String> chunks = call.chunks();
        for (int i = 0; i < chunks.size(); i++) {
            sse.content(null, chunk(call, chunks.get(i), i == chunks.size() - 1, thoughts));
        }
        if (chunks.isEmpty()) {
            sse.event(null, chunk(call, "", true, thoughts));
        }
    }

    /** {@code :streamGenerateContent} without {@code alt=sse}: the chunks as one JSON array. */
    static String array(Call call, long thoughts) {
        StringBuilder sb = new StringBuilder(256 * (call.chunks().size() + 1)).append('[');
        List<String> chunks = call.chunks();
        for (int i = 0; i < chunks.size(); i++) {
            sb.append(i > 0 ? "," : "").append(chunk(call, chunks.get(i), i == chunks.size() - 1, thoughts));
        }
        return sb.append(']').toString();
    }

    private static String chunk(Call call, String text, boolean last, long thoughts) {
        StringBuilder sb = new StringBuilder(360 + text.length()).append("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
        Json.str(sb, text).append("}],\"role\":\"model\"}");
        if (last) {
            sb.append(",\"finishReason\":\"").append(finishReason(call)).append('"');
        }
        sb.append(",\"index\":0}]");
        if (!call.omitUsage()) {
            sb.append(",\"usageMetadata\":");
            if (last) {
                usage(sb, call, call.completionTokens(), thoughts);
            } else {
                sb.append("{\"promptTokenCount\":").append(call.promptTokens())
                        .append(",\"totalTokenCount\":").append(call.promptTokens()).append('}');
            }
        }
        return tail(sb, call).toString();
    }

    private static StringBuilder tail(StringBuilder sb, Call call) {
        sb.append(",\"modelVersion\":");
        Json.str(sb, call.model()).append(",\"responseId\":\"").append(Call.randomId("", 22, false)).append("\"}");
        return sb;
    }

    /**
     * {@code promptTokenCount} includes {@code cachedContentTokenCount} (the cache reads); {@code thoughtsTokenCount}
     * is not part of {@code candidatesTokenCount}; the total has both.
     */
    private static void usage(StringBuilder sb, Call call, long candidates, long thoughts) {
        sb.append("{\"promptTokenCount\":").append(call.promptTokens())
                .append(",\"candidatesTokenCount\":").append(candidates)
                .append(",\"totalTokenCount\":").append(call.promptTokens() + candidates + thoughts);
        if (call.cache().read() > 0) {
            sb.append(",\"cachedContentTokenCount\":").append(call.cache().read());
        }
        if (thoughts > 0) {
            sb.append(",\"thoughtsTokenCount\":").append(thoughts);
        }
        sb.append(",\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":").append(call.promptTokens())
                .append("}]}");
    }

    private static String finishReason(Call call) {
        return call.truncated() ? "MAX_TOKENS" : "STOP";
    }

    static String models(List<String> ids) {
        StringBuilder sb = new StringBuilder(32 + ids.size() * 200).append("{\"models\":[");
        for (int i = 0; i < ids.size(); i++) {
            sb.append(i > 0 ? "," : "").append("{\"name\":");
            Json.str(sb, "models/" + ids.get(i)).append(",\"displayName\":");
            Json.str(sb, ids.get(i)).append(",\"supportedGenerationMethods\":[\"generateContent\",\"countTokens\"]}");
        }
        return sb.append("]}").toString();
    }

    static String error(int status, String message) {
        String defaultMessage = switch (status) {
            case 400 -> "Request contains an invalid argument.";
            case 403 -> "The caller does not have permission";
            case 404 -> "Requested entity was not found.";
            case 429 -> "Resource has been exhausted (e.g. check quota).";
            case 503 -> "The model is overloaded. Please try again later.";
            default -> status >= 500 ? "An internal error has occurred." : "Mock upstream error " + status + ".";
        };
        return error(status, message == null ? defaultMessage : message, status(status));
    }

    static String error(int status, String message, String rpcStatus) {
        StringBuilder sb = new StringBuilder(160).append("{\"error\":{\"code\":").append(status).append(",\"message\":");
        Json.str(sb, message).append(",\"status\":");
        return Json.str(sb, rpcStatus).append("}}").toString();
    }

    private static String status(int status) {
        return switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }
}
