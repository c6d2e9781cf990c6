package dev.creditgate.testkit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Jackson for parsing requests; a tiny hand-written writer for the (hot, fixed-shape) answers. */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /** Appends {@code s} as a JSON string literal, or {@code null}. */
    static StringBuilder str(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    static String quote(String s) {
        return str(new StringBuilder(s == null ? 4 : s.length() + 2), s).toString();
    }

    /** The text of a string node, or null for anything else (missing, null, number...). */
    static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    /** An integral number node's value, or {@code dflt}. */
    static long number(JsonNode node, long dflt) {
        return node != null && node.isIntegralNumber() ? node.asLong() : dflt;
    }

    static boolean bool(JsonNode node, boolean dflt) {
        return node != null && node.isBoolean() ? node.booleanValue() : dflt;
    }
}
