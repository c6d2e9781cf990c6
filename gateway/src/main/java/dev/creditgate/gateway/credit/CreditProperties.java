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
 */
@ConfigurationProperties("gateway.credit")
public record CreditProperties(
        @DefaultValue("10m") Duration holdTtl,
        @DefaultValue("5") int breakerFailures,
        @DefaultValue("10s") Duration breakerOpenWait) {

    public CreditProperties {
        if (holdTtl.toSeconds() < 1 || holdTtl.toSeconds() > 86_400) {
            throw new IllegalArgumentException("gateway.credit.hold-ttl: " + holdTtl + " (expected: 1s..24h)");
        }
        new BreakerSettings(breakerFailures, breakerOpenWait); // validates
    }
}
