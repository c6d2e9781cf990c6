package dev.creditgate.gateway.retention;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the gateway keeps what only grows ({@code gateway.retention.*}); 0 keeps forever. Delivered usage
 * events have their own setting, {@code gateway.usage.outbox.retention} (7 days).
 *
 * @param logs         log rows ({@code logs}, consumption and errors) older than this are deleted
 * @param failedEvents FAILED usage events ({@code usage_events}) not touched for this long are deleted; a FAILED
 *                     event is usage the credit platform never received: replay it before it goes
 * @param interval     how often the job runs (and once shortly after the start)
 * @param batchSize    rows per DELETE statement (each its own short transaction, so that the job never holds
 *                     many locks or a long transaction)
 * @param maxBatches   DELETE statements per table per run at most (the rest waits for the next run)
 */
@ConfigurationProperties("gateway.retention")
public record RetentionProperties(
        @DefaultValue("90d") Duration logs,
        @DefaultValue("30d") Duration failedEvents,
        @DefaultValue("1h") Duration interval,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("100") int maxBatches) {

    public RetentionProperties {
        if (logs.isNegative() || failedEvents.isNegative()) {
            throw new IllegalArgumentException("gateway.retention.logs / failed-events: " + logs + " / " + failedEvents
                    + " (expected: >= 0, 0 = keep forever)");
        }
        if (interval.toMillis() <= 0 || batchSize <= 0 || maxBatches <= 0) {
            throw new IllegalArgumentException("gateway.retention.interval / batch-size / max-batches: " + interval
                    + " / " + batchSize + " / " + maxBatches + " (expected: > 0)");
        }
    }
}
