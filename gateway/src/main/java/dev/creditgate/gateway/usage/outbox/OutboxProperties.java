package dev.creditgate.gateway.usage.outbox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The usage outbox ({@code gateway.usage.outbox.*}). Every limit explicit; bad values stop the start.
 *
 * @param pollInterval     how often the deliverer looks for due rows when nobody woke it
 * @param batchSize        rows claimed per round (lease rows of one lease go to the platform in one settlement each
 *                         500, the platform's limit)
 * @param concurrency      deliveries in flight at once per instance
 * @param claimLease       how long a claimed row belongs to this instance (then another may take it)
 * @param maxAttempts      attempts before a row is FAILED
 * @param giveUpAfter      a row still failing this long after it was written is FAILED at its next failed attempt,
 *                         whatever its attempts (attempts that meet an open breaker do not count, so without this
 *                         horizon a row could be retried through an outage forever); replay it by hand after
 * @param initialBackoff   wait after the first failed attempt; doubles per attempt
 * @param maxBackoff       the longest wait between attempts
 * @param intentTimeout    an INTENT row older than this is charged at its estimate by recovery: must exceed the
 *                         longest request (stream) the gateway serves
 * @param recoveryInterval how often recovery and the backlog gauges run
 * @param retention        DELIVERED rows are deleted after this
 */
@ConfigurationProperties("gateway.usage.outbox")
public record OutboxProperties(
        @DefaultValue("200ms") Duration pollInterval,
        @DefaultValue("500") int batchSize,
        @DefaultValue("16") int concurrency,
        @DefaultValue("60s") Duration claimLease,
        @DefaultValue("15") int maxAttempts,
        @DefaultValue("72h") Duration giveUpAfter,
        @DefaultValue("1s") Duration initialBackoff,
        @DefaultValue("10m") Duration maxBackoff,
        @DefaultValue("30m") Duration intentTimeout,
        @DefaultValue("5s") Duration recoveryInterval,
        @DefaultValue("7d") Duration retention) {

    public OutboxProperties {
        positive("poll-interval", pollInterval.toMillis());
        positive("batch-size", batchSize);
        positive("concurrency", concurrency);
        positive("claim-lease", claimLease.toMillis());
        positive("max-attempts", maxAttempts);
        positive("give-up-after", giveUpAfter.toMillis());
        positive("initial-backoff", initialBackoff.toMillis());
        positive("max-backoff", maxBackoff.toMillis());
        positive("intent-timeout", intentTimeout.toMillis());
        positive("recovery-interval", recoveryInterval.toMillis());
        positive("retention", retention.toMillis());
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("gateway.usage.outbox.max-backoff: " + maxBackoff
                    + " (expected: >= initial-backoff " + initialBackoff + ")");
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("gateway.usage.outbox." + name + ": " + v + " (expected: > 0)");
        }
    }
}
