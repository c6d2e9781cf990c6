package dev.creditgate.gateway.web;

import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Typed, strict access to a management request body. A field that is absent or {@code null} reads as null
 * (so that a partial update changes only what is present); a field of the wrong type is a 400 naming the
 * field, the value and what was expected.
 */
public final class JsonBody {

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    public static JsonBody of(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw GatewayException.badRequest("request body: missing (expected: a JSON object)");
        }
        if (!node.isObject()) {
            throw GatewayException.badRequest("request body: " + node.getNodeType() + " (expected: a JSON object)");
        }
        return new JsonBody((ObjectNode) node);
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public JsonNode raw(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public ObjectNode node() {
        return node;
    }

    public Long getLong(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isString()) { // new-api's web UI sometimes sends numbers as strings
            try {
                return Long.parseLong(v.asString().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw wrongType(field, v, "an integer");
    }

    public Integer getInt(String field) {
        Long v = getLong(field);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw GatewayException.badRequest(field + ": " + v + " (expected: a 32-bit integer)");
        }
        return v.intValue();
    }

    public String getString(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isString()) {
            throw wrongType(field, v, "a string");
        }
        return v.asString();
    }

    public Boolean getBoolean(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, v, "true or false");
        }
        return v.booleanValue();
    }

    public long requireLong(String field) {
        Long v = getLong(field);
        if (v == null) {
            throw GatewayException.badRequest(field + ": missing (expected: an integer)");
        }
        return v;
    }

    public String requireString(String field) {
        String v = getString(field);
        if (v == null || v.isBlank()) {
            throw GatewayException.badRequest(field + ": missing (expected: a non-empty string)");
        }
        return v;
    }

    /** Checks a string's length; returns it. */
    public static String maxLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw GatewayException.badRequest(field + ": " + value.length() + " characters (expected: <= " + max + ")");
        }
        return value;
    }

    public static long range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw GatewayException.badRequest(field + ": " + value + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }

    /** Requires the value to be one of the given keys; returns the mapped value. */
    public static <T> T oneOf(String field, String value, Map<String, T> allowed) {
        T v = allowed.get(value);
        if (v == null) {
            throw GatewayException.badRequest(field + ": \"" + value + "\" (expected: one of " + allowed.keySet() + ")");
        }
        return v;
    }

    private static GatewayException wrongType(String field, JsonNode v, String expected) {
        String shown = v.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return GatewayException.badRequest(field + ": " + shown + " (expected: " + expected + ")");
    }
}
