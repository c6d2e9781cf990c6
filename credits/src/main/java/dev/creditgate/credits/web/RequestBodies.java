package dev.creditgate.credits.web;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.creditgate.contract.Decimals;

/**
 * Strict reading of JSON request bodies: exact decimals, duplicate keys and trailing garbage refused, every
 * problem reported with the field name and what was expected (400).
 */
public final class RequestBodies {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private RequestBodies() {
    }

    /** The body as a JSON object; 400 when empty, malformed or not an object. */
    public static JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiError.INVALID_REQUEST.exception("request body missing (expected a JSON object)");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiError.MALFORMED_JSON.exception("malformed JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw ApiError.INVALID_REQUEST.exception("request body: expected a JSON object");
        }
        return node;
    }

    public static String text(JsonNode o, String field, int maxLength) {
        String s = optionalText(o, field, maxLength);
        if (s == null) {
            throw ApiError.INVALID_REQUEST.exception(field + ": missing (expected a string)");
        }
        return s;
    }

    public static String optionalText(JsonNode o, String field, int maxLength) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw ApiError.INVALID_REQUEST.exception(field + ": expected a string, got " + v.getNodeType().name().toLowerCase());
        }
        String s = v.stringValue();
        if (s.isBlank() || s.length() > maxLength) {
            throw ApiError.INVALID_REQUEST.exception(field + ": expected 1.." + maxLength + " characters, got " + s.length());
        }
        return s;
    }

    /** A decimal as a JSON number or string, within [min, max]. */
    public static BigDecimal decimal(JsonNode o, String field, BigDecimal min, BigDecimal max) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.INVALID_REQUEST.exception(field + ": missing (expected a decimal number)");
        }
        BigDecimal d;
        try {
            d = Decimals.parse(v, field);
        } catch (IllegalArgumentException e) {
            throw ApiError.INVALID_REQUEST.exception(e.getMessage());
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw ApiError.INVALID_REQUEST.exception(field + ": " + d.toPlainString() + " (expected: "
                    + min.toPlainString() + " .. " + max.toPlainString() + ")");
        }
        return d;
    }

    /** A decimal as a JSON number or string within [min, max], or {@code dflt} when absent (or null). */
    public static BigDecimal optionalDecimal(JsonNode o, String field, BigDecimal min, BigDecimal max, BigDecimal dflt) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? dflt : decimal(o, field, min, max);
    }

    /**
     * The elements of an array field, {@code minSize} .. {@code maxSize} of them; absent (or null) counts as empty.
     */
    public static List<JsonNode> array(JsonNode o, String field, int minSize, int maxSize) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (minSize > 0) {
                throw ApiError.INVALID_REQUEST.exception(field + ": missing (expected an array of " + minSize + ".."
                        + maxSize + " elements)");
            }
            return List.of();
        }
        if (!v.isArray()) {
            throw ApiError.INVALID_REQUEST.exception(field + ": expected an array, got " + v.getNodeType().name().toLowerCase());
        }
        if (v.size() < minSize || v.size() > maxSize) {
            throw ApiError.INVALID_REQUEST.exception(field + ": " + v.size() + " elements (expected " + minSize + ".."
                    + maxSize + ")");
        }
        List<JsonNode> out = new ArrayList<>(v.size());
        v.forEach(out::add);
        return out;
    }

    /** An integer within [min, max], or {@code dflt} when absent. */
    public static long integer(JsonNode o, String field, long min, long max, Long dflt) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw ApiError.INVALID_REQUEST.exception(field + ": missing (expected an integer)");
            }
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiError.INVALID_REQUEST.exception(field + ": " + abbreviate(v.toString()) + " (expected: integer " + min + " .. " + max + ")");
        }
        return v.longValue();
    }

    public static boolean isUuid(String s) {
        return s != null && UUID.matcher(s).matches();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}
