package dev.creditgate.credits.retention;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the platform keeps what only grows ({@code credits.retention.*}); 0 keeps forever. The ledger,
 * users, keys and {@code processed_events} (the exactly-once keys) are never deleted.
 *
 * @param holds      finished holds (CAPTURED, RELEASED, EXPIRED) created longer ago than this are deleted (their
 *                   money is in the ledger; a reconciliation over a period older than this no longer sees them)
 * @param webhookLog {@code webhook_log} rows older than this are deleted
 * @param interval   how often the job runs
 * @param batchSize  rows per DELETE statement (each its own short transaction)
 * @param maxBatches DELETE statements per table per run at most
 */
@ConfigurationProperties("credits.retention")
public record RetentionProperties(
        @DefaultValue("30d") Duration holds,
        @DefaultValue("30d") Duration webhookLog,
        @DefaultValue("1h") Duration interval,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("100") int maxBatches) {

    public RetentionProperties {
        if (holds.isNegative() || webhookLog.isNegative()) {
            throw new IllegalArgumentException("credits.retention.holds / webhook-log: " + holds + " / " + webhookLog
                    + " (expected: >= 0, 0 = keep forever)");
        }
        if (interval.toMillis() <= 0 || batchSize <= 0 || maxBatches <= 0) {
            throw new IllegalArgumentException("credits.retention.interval / batch-size / max-batches: " + interval
                    + " / " + batchSize + " / " + maxBatches + " (expected: > 0)");
        }
    }
}
