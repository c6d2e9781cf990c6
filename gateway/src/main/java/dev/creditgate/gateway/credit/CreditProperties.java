package dev.creditgate.gateway.credit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Startup settings of the credit admission ({@code gateway.credit.*}); the run-time ones are options (SPEC 3.3).
 *
 * @param holdTtl          TTL asked for each hold: longer than any request, so that a capture normally finds its
 *                         hold pending (a later capture is still honoured by the platform: CAPTURED_AFTER_EXPIRY)
 * @param breakerFailures  consecutive failed platform calls that open the circuit breaker
 * @param breakerOpenWait  how long the breaker stays open before one probe
 * @param leaseTtl         TTL of a credit lease ({@code letaicode_lease}): a lease its instance stops refreshing
 *                         (it died) stops counting as held after this; the instance itself stops using a lease it
 *                         could not refresh a third of this before
 * @param leaseRefresh     how often each lease is refreshed: the bound on how late a disabled key or a lowered
 *                         balance reaches this instance
 * @param leaseIdle        a lease with no request for this long and nothing in use is released
 * @param fallbackWindow   the sliding window over which a key's fallback spending counts ({@code local}: against
 *                         its last known balance; {@code allow}: against {@code letaicode_fallback_allowance}); not
 *                         reset when the platform answers in between (a flapping platform)
 */
@ConfigurationProperties("gateway.credit")
public record CreditProperties(
        @DefaultValue("10m") Duration holdTtl,
        @DefaultValue("5") int breakerFailures,
        @DefaultValue("10s") Duration breakerOpenWait,
        @DefaultValue("30s") Duration leaseTtl,
        @DefaultValue("500ms") Duration leaseRefresh,
        @DefaultValue("10s") Duration leaseIdle,
        @DefaultValue("1h") Duration fallbackWindow) {

    public CreditProperties {
        if (holdTtl.toSeconds() < 1 || holdTtl.toSeconds() > 86_400) {
            throw new IllegalArgumentException("gateway.credit.hold-ttl: " + holdTtl + " (expected: 1s..24h)");
        }
        new BreakerSettings(breakerFailures, breakerOpenWait); // validates
        if (leaseTtl.toSeconds() < 3 || leaseTtl.toSeconds() > 3600) {
            throw new IllegalArgumentException("gateway.credit.lease-ttl: " + leaseTtl + " (expected: 3s..1h)");
        }
        if (leaseRefresh.toMillis() < 50 || leaseRefresh.compareTo(leaseTtl.dividedBy(3)) > 0) {
            throw new IllegalArgumentException("gateway.credit.lease-refresh: " + leaseRefresh
                    + " (expected: 50ms..a third of gateway.credit.lease-ttl)");
        }
        if (fallbackWindow.toMinutes() < 1) {
            throw new IllegalArgumentException("gateway.credit.fallback-window: " + fallbackWindow + " (expected: >= 1m)");
        }
        if (leaseIdle.isNegative() || leaseIdle.isZero()) {
            throw new IllegalArgumentException("gateway.credit.lease-idle: " + leaseIdle + " (expected: > 0)");
        }
    }
}
