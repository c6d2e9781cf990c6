package dev.creditgate.testkit;

import tools.jackson.databind.JsonNode;

/**
 * A tool call the mock answers with ({@link MockUpstream#toolCall}): after the reply text, one call of {@code name}
 * with {@code arguments} (a JSON object as text), ending the answer with {@code tool_calls} / {@code tool_use}. Only
 * for a request that offers tools and whose last message is not a tool result, so that a client's round trip (call,
 * result, answer) ends with text.
 *
 * @param name      the function's name
 * @param arguments the arguments, a JSON object as text (streams send it in two pieces)
 * @param id        the call's id ({@code call_...} on OpenAI, {@code toolu_...} on Anthropic: the prefix is added)
 */
record ToolCall(String name, String arguments, String id) {

    ToolCall {
        JsonNode parsed = Json.MAPPER.readTree(arguments);
        if (parsed == null || !parsed.isObject()) {
            throw new IllegalArgumentException("tool arguments: " + arguments + " (expected: a JSON object)");
        }
    }

    /** Whether a request gets this call: it offers tools, and its last message is not a tool result. */
    boolean appliesTo(JsonNode request) {
        JsonNode tools = request.get("tools");
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            return false;
        }
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return true;
        }
        JsonNode last = messages.get(messages.size() - 1);
        if ("tool".equals(Json.text(last.get("role")))) {
            return false; // OpenAI: a tool result
        }
        for (JsonNode block : last.path("content")) {
            if ("tool_result".equals(Json.text(block.get("type")))) {
                return false; // Anthropic: a tool result
            }
        }
        return true;
    }

    /** The arguments in two pieces (split in the middle), as a stream sends them. */
    String[] pieces() {
        int half = arguments.length() / 2;
        return new String[] {arguments.substring(0, half), arguments.substring(half)};
    }
}
