package dev.creditgate.contract;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON text as JavaScript writes it: {@code JSON.stringify(JSON.parse(body))} re-implemented in Java, for
 * signatures computed by JavaScript peers over re-serialised bodies (LetAiCode's {@code x-webhook-signature}).
 */
public final class JsJson {

    private static final JsonMapper PARSER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private JsJson() {
    }

    /**
     * What {@code JSON.stringify(JSON.parse(text))} returns for this UTF-8 JSON text: no whitespace, numbers as
     * JavaScript prints doubles, strings escaped as JavaScript escapes them, integer-like keys first in ascending
     * order, a repeated key keeping its first position and its last value.
     *
     * @throws IllegalArgumentException when the text is not JSON or holds a number JavaScript cannot represent
     */
    public static String restringify(byte[] json) {
        JsonNode node;
        try {
            node = PARSER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("not JSON: empty");
        }
        StringBuilder out = new StringBuilder(json.length);
        write(node, out);
        return out.toString();
    }

    /** Same as {@link #restringify(byte[])}, UTF-8 bytes. */
    public static byte[] restringifyBytes(byte[] json) {
        return restringify(json).getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(node.properties());
            List<Map.Entry<String, JsonNode>> ordered = new ArrayList<>(entries.size());
            entries.stream().filter(e -> arrayIndex(e.getKey()) >= 0)
                    .sorted((a, b) -> Long.compare(arrayIndex(a.getKey()), arrayIndex(b.getKey())))
                    .forEach(ordered::add);
            entries.stream().filter(e -> arrayIndex(e.getKey()) < 0).forEach(ordered::add);
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : ordered) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(node.get(i), out);
            }
            out.append(']');
        } else if (node.isString()) {
            quote(node.stringValue(), out);
        } else if (node.isNumber()) {
            BigDecimal value = node.isIntegralNumber() ? new BigDecimal(node.bigIntegerValue()) : node.decimalValue();
            out.append(JsNumbers.format(value));
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isNull()) {
            out.append("null");
        } else {
            throw new IllegalArgumentException("unsupported JSON node: " + node.getNodeType());
        }
    }

    /** The canonical array index a property key denotes in JavaScript (0 .. 2^32-2), or -1. */
    private static long arrayIndex(String key) {
        int len = key.length();
        if (len == 0 || len > 10 || (len > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < len; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 4294967294L ? v : -1;
    }

    /** Appends the string as JavaScript's {@code JSON.stringify} quotes it (well-formed JSON.stringify, ES2019). */
    public static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            unicodeEscape(c, out);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        unicodeEscape(c, out);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The string quoted as JavaScript's {@code JSON.stringify} quotes it. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(s, out);
        return out.toString();
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        String hex = Integer.toHexString(c);
        out.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
    }
}
