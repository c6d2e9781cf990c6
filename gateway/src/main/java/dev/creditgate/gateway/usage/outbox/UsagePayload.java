package dev.creditgate.gateway.usage.outbox;

import java.math.BigDecimal;
import java.util.Objects;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one outbox row charges: the usage and its cost in USD (exact). Stored as compact JSON in
 * {@code usage_events.payload}; the cost is written as a string so that it survives exactly.
 *
 * @param model            the model the client asked for
 * @param promptTokens     prompt tokens charged
 * @param completionTokens completion tokens charged
 * @param costUsd          cost in USD, scale <= 6, >= 0
 * @param timestampMs      when the usage was recorded (the webhook's {@code timestamp}; fixed across retries)
 * @param estimate         true while it is the admission's estimate (intent rows and recovered rows)
 * @param cacheReadTokens  the part of {@code promptTokens} read from the prompt cache
 * @param cacheWriteTokens the part of {@code promptTokens} written to the cache (5-minute and 1-hour writes)
 */
public record UsagePayload(String model, long promptTokens, long completionTokens, BigDecimal costUsd,
                           long timestampMs, boolean estimate, long cacheReadTokens, long cacheWriteTokens) {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    public UsagePayload {
        Objects.requireNonNull(costUsd, "costUsd");
        if (costUsd.signum() < 0 || promptTokens < 0 || completionTokens < 0 || cacheReadTokens < 0
                || cacheWriteTokens < 0) {
            throw new IllegalArgumentException("usage payload: negative amount (cost " + costUsd.toPlainString()
                    + ", tokens " + promptTokens + "/" + completionTokens + ")");
        }
    }

    /** A payload without cache tokens. */
    public UsagePayload(String model, long promptTokens, long completionTokens, BigDecimal costUsd, long timestampMs,
                        boolean estimate) {
        this(model, promptTokens, completionTokens, costUsd, timestampMs, estimate, 0, 0);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", model);
        n.put("promptTokens", promptTokens);
        n.put("completionTokens", completionTokens);
        n.put("costUsd", costUsd.toPlainString());
        n.put("timestamp", timestampMs);
        n.put("estimate", estimate);
        if (cacheReadTokens > 0) {
            n.put("cacheReadTokens", cacheReadTokens);
        }
        if (cacheWriteTokens > 0) {
            n.put("cacheWriteTokens", cacheWriteTokens);
        }
        return JSON.writeValueAsString(n);
    }

    public static UsagePayload fromJson(String json) {
        JsonNode n = JSON.readTree(json);
        return new UsagePayload(n.path("model").isNull() ? null : n.path("model").asString(null),
                n.path("promptTokens").asLong(0), n.path("completionTokens").asLong(0),
                new BigDecimal(n.path("costUsd").asString("0")), n.path("timestamp").asLong(0),
                n.path("estimate").asBoolean(false), n.path("cacheReadTokens").asLong(0),
                n.path("cacheWriteTokens").asLong(0));
    }
}
