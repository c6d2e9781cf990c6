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
 *
 * <p>Every text is made to fit its column whatever the caller passes (one bad row would fail its whole batch of
 * up to {@code gateway.logs.batch-size} rows of every tenant): {@code token_name} and {@code model_name} to
 * {@value #MAX_NAME} characters, {@code request_id} to {@value #MAX_REQUEST_ID}, {@code content} to
 * {@value #MAX_CONTENT}, {@code other} to {@value #MAX_OTHER}; NUL characters (refused by PostgreSQL in text) are
 * replaced by U+FFFD, and a cut never splits a surrogate pair.
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

    public static final int MAX_NAME = 255;
    public static final int MAX_REQUEST_ID = 64;
    public static final int MAX_CONTENT = 4000;
    public static final int MAX_OTHER = 2000;

    public LogEntry {
        costUsd = costUsd == null ? java.math.BigDecimal.ZERO : costUsd;
        tokenName = fit(tokenName, MAX_NAME);
        modelName = fit(modelName, MAX_NAME);
        requestId = fit(requestId, MAX_REQUEST_ID);
        content = fit(content, MAX_CONTENT);
        other = fit(other, MAX_OTHER);
    }

    /** {@code s} without NUL, at most {@code max} chars (the last three {@code ...} when cut), never null. */
    static String fit(String s, int max) {
        if (s == null) {
            return "";
        }
        if (s.indexOf('\u0000') >= 0) {
            s = s.replace('\u0000', '\uFFFD');
        }
        if (s.length() <= max) {
            return s;
        }
        int end = max - 3;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }

    public static final int CONSUME = 2;
    public static final int ERROR = 5;
}
