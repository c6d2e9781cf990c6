package dev.creditgate.contract;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The compact wire form of a {@link UsageEvent}: fields in the order of SPEC 4.2, no whitespace, numbers and
 * strings written as JavaScript writes them, so that {@code JSON.stringify(JSON.parse(body))} returns the body
 * unchanged (LetAiCode signs that re-serialisation).
 */
public final class UsageEventJson {

    private static final JsonMapper PARSER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Largest integer JavaScript holds exactly (2^53 - 1): token counts and ids above it would not survive. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private UsageEventJson() {
    }

    /** The body text; see the class comment. */
    public static String write(UsageEvent event) {
        UsageEvent.Data d = event.data();
        StringBuilder out = new StringBuilder(256);
        out.append("{\"eventId\":");
        JsJson.quote(event.eventId(), out);
        out.append(",\"eventType\":");
        JsJson.quote(event.eventType(), out);
        out.append(",\"timestamp\":").append(JsNumbers.format(event.timestamp()));
        out.append(",\"data\":{\"remoteKeyId\":").append(JsNumbers.format(d.remoteKeyId()));
        out.append(",\"keyId\":");
        quoteOrNull(d.keyId(), out);
        out.append(",\"model\":");
        quoteOrNull(d.model(), out);
        out.append(",\"promptTokens\":").append(JsNumbers.format(d.promptTokens()));
        out.append(",\"completionTokens\":").append(JsNumbers.format(d.completionTokens()));
        out.append(",\"totalTokens\":").append(JsNumbers.format(d.totalTokens()));
        out.append(",\"cost\":").append(JsNumbers.format(d.cost()));
        if (d.cacheReadTokens() > 0) {
            out.append(",\"cacheReadTokens\":").append(JsNumbers.format(d.cacheReadTokens()));
        }
        if (d.cacheCreationTokens() > 0) {
            out.append(",\"cacheCreationTokens\":").append(JsNumbers.format(d.cacheCreationTokens()));
        }
        out.append("}}");
        return out.toString();
    }

    /** {@link #write(UsageEvent)} as UTF-8 bytes: what to sign and send. */
    public static byte[] writeBytes(UsageEvent event) {
        return write(event).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a body (any field order; {@code cost} as a JSON number or a decimal string, kept exact).
     *
     * @throws IllegalArgumentException naming the first missing or ill-typed field
     */
    public static UsageEvent read(byte[] body) {
        JsonNode root;
        try {
            root = PARSER.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("body: expected a JSON object");
        }
        String eventId = text(root, "eventId", true);
        if (eventId.isBlank() || eventId.length() > 128) {
            throw new IllegalArgumentException("eventId: expected 1..128 characters");
        }
        String eventType = text(root, "eventType", true);
        long timestamp = integer(root, "timestamp", true, 0);
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new IllegalArgumentException("data: expected an object");
        }
        long remoteKeyId = integer(data, "remoteKeyId", false, 0);
        String keyId = text(data, "keyId", false);
        String model = text(data, "model", false);
        long prompt = integer(data, "promptTokens", false, 0);
        long completion = integer(data, "completionTokens", false, 0);
        long total = integer(data, "totalTokens", false, prompt + completion);
        BigDecimal cost = decimal(data, "data.cost");
        long cacheRead = integer(data, "cacheReadTokens", false, 0);
        long cacheCreation = integer(data, "cacheCreationTokens", false, 0);
        return new UsageEvent(eventId, eventType, timestamp, new UsageEvent.Data(remoteKeyId, keyId, model, prompt,
                completion, total, cost, cacheRead, cacheCreation));
    }

    private static void quoteOrNull(String s, StringBuilder out) {
        if (s == null) {
            out.append("null");
        } else {
            JsJson.quote(s, out);
        }
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + ": missing");
            }
            return null;
        }
        if (!v.isString()) {
            throw new IllegalArgumentException(field + ": expected a string, got " + v.getNodeType());
        }
        return v.stringValue();
    }

    private static long integer(JsonNode node, String field, boolean required, long dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + ": missing");
            }
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException(field + ": expected an integer 0.." + MAX_SAFE_INTEGER + ", got " + v);
        }
        return v.longValue();
    }

    /** A decimal given as a JSON number or a string holding a plain decimal number. */
    static BigDecimal decimal(JsonNode node, String path) {
        String field = path.substring(path.lastIndexOf('.') + 1);
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(path + ": missing");
        }
        return Decimals.parse(v, path);
    }
}
