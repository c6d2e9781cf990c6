package dev.creditgate.gateway.usage;

/**
 * One row of {@code logs}.
 *
 * @param createdAt unix seconds
 * @param type      {@link #CONSUME} or {@link #ERROR} (new-api's numbers)
 * @param quota     the charged quota (what {@code settle} returned)
 * @param useTimeMs wall time of the request in milliseconds
 * @param content   free text: the error message for errors, the upstream model for mapped requests
 * @param costUsd   the charge in exact USD ({@code letaicode} tokens are charged this; native tokens
 *                  {@code quota / 500,000})
 * @param other     new-api's {@code other}: JSON text with the ratios and cache tokens of the charge (empty for errors)
 */
public record LogEntry(
        long createdAt,
        int type,
        long userId,
        long tokenId,
        String tokenName,
        String modelName,
        int promptTokens,
        int completionTokens,
        long quota,
        String requestId,
        boolean stream,
        int useTimeMs,
        long channelId,
        String content,
        java.math.BigDecimal costUsd,
        String other) implements LogWriter.Queued {

    public LogEntry {
        costUsd = costUsd == null ? java.math.BigDecimal.ZERO : costUsd;
        other = other == null ? "" : other;
    }

    public static final int CONSUME = 2;
    public static final int ERROR = 5;
}
