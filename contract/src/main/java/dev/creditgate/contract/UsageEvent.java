package dev.creditgate.contract;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A usage webhook (SPEC 4.2): {@code {"eventId","eventType":"usage","timestamp":<unix ms>,"data":{...}}}.
 *
 * @param eventId   idempotency key, unique per charged request (at most 128 chars)
 * @param eventType always {@link #TYPE_USAGE} for now
 * @param timestamp unix milliseconds when the gateway recorded the usage
 * @param data      what was used and by which key
 */
public record UsageEvent(String eventId, String eventType, long timestamp, Data data) {

    public static final String TYPE_USAGE = "usage";

    public UsageEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(data, "data");
    }

    /** A usage event ({@code eventType = "usage"}). */
    public static UsageEvent usage(String eventId, long timestampMillis, Data data) {
        return new UsageEvent(eventId, TYPE_USAGE, timestampMillis, data);
    }

    /**
     * @param remoteKeyId      the gateway's token id (LetAiCode's field name: it is "remote" from the platform's view)
     * @param keyId            the credit platform's key id (UUID string); may be null for tokens that lack it
     * @param model            model name the client asked for
     * @param promptTokens     prompt tokens
     * @param completionTokens completion tokens
     * @param totalTokens      total tokens
     * @param cost             cost in USD, exact decimal (non-negative)
     * @param cacheReadTokens     the part of {@code promptTokens} read from the prompt cache (new-api's
     *                            {@code cache_tokens}); written only when non-zero
     * @param cacheCreationTokens the part of {@code promptTokens} written to the cache (5-minute and 1-hour writes);
     *                            written only when non-zero
     */
    public record Data(long remoteKeyId, String keyId, String model, long promptTokens, long completionTokens,
                       long totalTokens, BigDecimal cost, long cacheReadTokens, long cacheCreationTokens) {
        public Data {
            Objects.requireNonNull(cost, "cost");
        }

        /** Usage without cache tokens. */
        public Data(long remoteKeyId, String keyId, String model, long promptTokens, long completionTokens,
                    long totalTokens, BigDecimal cost) {
            this(remoteKeyId, keyId, model, promptTokens, completionTokens, totalTokens, cost, 0, 0);
        }
    }
}
