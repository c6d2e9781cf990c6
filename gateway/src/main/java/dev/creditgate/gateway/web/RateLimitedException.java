package dev.creditgate.gateway.web;

import java.util.concurrent.TimeUnit;

/**
 * A 429 (the caller is over a rate limit) or a 503 (the gateway is busy): try again later. Rendered with
 * {@code Retry-After} (seconds) and {@code retry-after-ms}.
 */
public final class RateLimitedException extends GatewayException {

    private final long retryAfterNanos;

    public RateLimitedException(ErrorCode error, String message, long retryAfterNanos) {
        super(error, message);
        if (error.status() != 429 && error.status() != 503) {
            throw new IllegalArgumentException(error + " is neither a 429 nor a 503");
        }
        this.retryAfterNanos = Math.max(0, retryAfterNanos);
    }

    /** Whole seconds, rounded up, at least 1 (what {@code Retry-After} carries). */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfterNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }

    /** Milliseconds, rounded up, at least 1 (OpenAI's {@code retry-after-ms}, which its SDKs read first). */
    public long retryAfterMillis() {
        return Math.max(1, (retryAfterNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1) / TimeUnit.MILLISECONDS.toNanos(1));
    }
}
