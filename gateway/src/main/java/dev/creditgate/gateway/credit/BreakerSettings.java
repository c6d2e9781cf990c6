package dev.creditgate.gateway.credit;

import java.time.Duration;

/**
 * The circuit breaker in front of the credit platform (one per domain).
 *
 * @param failureThreshold consecutive failed calls (after their retries) that open the breaker
 * @param openWait         how long the breaker stays open before one half-open probe is let through
 */
public record BreakerSettings(int failureThreshold, Duration openWait) {

    public static final BreakerSettings DEFAULTS = new BreakerSettings(5, Duration.ofSeconds(10));

    public BreakerSettings {
        if (failureThreshold < 1 || failureThreshold > 100) {
            throw new IllegalArgumentException("failureThreshold: " + failureThreshold + " (expected: 1..100)");
        }
        if (openWait == null || openWait.isNegative() || openWait.isZero()) {
            throw new IllegalArgumentException("openWait: " + openWait + " (expected: > 0)");
        }
    }
}
