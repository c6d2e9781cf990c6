package dev.creditgate.gateway.ratelimit;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted request's place in the rate limits: close it when the request ends (frees its concurrency slots,
 * once, however often it is closed); report a successful answer with {@link #succeeded} before.
 */
public final class RatePermit implements AutoCloseable {

    /** No limit applies: nothing to count, nothing to free. */
    public static final RatePermit NONE = new RatePermit(null, RateLimitSettings.OFF, null, null, null, null);

    private final RateLimiter limiter;
    private final RateLimitSettings settings;
    private final RateLimiter.CallerState keySlot;
    private final RateLimiter.CallerState userSlot;
    private final RateLimiter.CallerState key;
    private final RateLimiter.CallerState user;
    private final AtomicBoolean closed = new AtomicBoolean();

    RatePermit(RateLimiter limiter, RateLimitSettings settings, RateLimiter.CallerState keySlot,
               RateLimiter.CallerState userSlot, RateLimiter.CallerState key, RateLimiter.CallerState user) {
        this.limiter = limiter;
        this.settings = settings;
        this.keySlot = keySlot;
        this.userSlot = userSlot;
        this.key = key;
        this.user = user;
    }

    /** The upstream answered 2xx: {@code tokens} (prompt + completion) count toward the tokens-per-minute limits. */
    public void succeeded(long tokens) {
        if (limiter != null) {
            limiter.succeeded(this, tokens);
        }
    }

    @Override
    public void close() {
        if (limiter != null && closed.compareAndSet(false, true)) {
            if (keySlot != null) {
                keySlot.leave();
            }
            if (userSlot != null) {
                userSlot.leave();
            }
        }
    }

    RateLimitSettings settings() {
        return settings;
    }

    RateLimiter.CallerState key() {
        return key;
    }

    RateLimiter.CallerState user() {
        return user;
    }
}
