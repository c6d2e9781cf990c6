package dev.creditgate.credits.retention;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes finished holds and webhook log rows past their retention ({@link RetentionProperties}) in small batches:
 * per table, the last key of the {@code batch-size} oldest rows past their age (in the order of an indexed
 * column), then {@code DELETE .. WHERE key <= that AND <past its age>} (the same statements on H2, MySQL/MariaDB
 * and PostgreSQL), until a batch comes back short or {@code max-batches} ran. Safe on several instances.
 */
@Component
@EnableConfigurationProperties(RetentionProperties.class)
public class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    /** A table, its age column (ms), the (BIGINT) column batches are cut along, and which rows may go. */
    private record Target(String name, String table, String ageColumn, String orderColumn, String condition,
                          Duration age) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final RetentionProperties properties;
    private final MeterRegistry metrics;
    private final List<Target> targets;

    Retention(JdbcClient jdbc, Clock clock, RetentionProperties properties, MeterRegistry metrics) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.properties = properties;
        this.metrics = metrics;
        this.targets = List.of(
                // ordered by the indexed created_at_ms (ix_holds_created): a batch may take a few more rows on ties
                new Target("holds", "holds", "created_at_ms", "created_at_ms", "status <> 'PENDING'",
                        properties.holds()),
                new Target("webhook_log", "webhook_log", "received_at_ms", "id", "1 = 1", properties.webhookLog()));
    }

    @Scheduled(initialDelayString = "${credits.retention.initial-delay:60s}",
            fixedDelayString = "${credits.retention.interval:1h}")
    void scheduled() {
        try {
            run();
        } catch (RuntimeException e) {
            log.warn("retention run failed (tried again in {}): {}", properties.interval(), e.toString());
        }
    }

    /** One run over every table; rows deleted per table. */
    public Map<String, Long> run() {
        Map<String, Long> deleted = new LinkedHashMap<>();
        long now = clock.millis();
        for (Target t : targets) {
            if (t.age().isZero()) {
                continue; // kept forever
            }
            long total = deleteOlder(t, now - t.age().toMillis());
            deleted.put(t.name(), total);
            if (total > 0) {
                metrics.counter("credits.retention.deleted", "table", t.name()).increment(total);
                log.info("retention: deleted {} {} row(s) older than {}", total, t.name(), t.age());
            }
        }
        return deleted;
    }

    private long deleteOlder(Target t, long cutoff) {
        String past = t.ageColumn() + " < :cutoff AND " + t.condition();
        long total = 0;
        for (int i = 0; i < properties.maxBatches(); i++) {
            List<Long> max = jdbc.sql("SELECT MAX(" + t.orderColumn() + ") FROM (SELECT " + t.orderColumn()
                            + " FROM " + t.table() + " WHERE " + past + " ORDER BY " + t.orderColumn()
                            + " LIMIT :n) oldest")
                    .param("cutoff", cutoff).param("n", properties.batchSize()).query(Long.class).list();
            Long last = max.isEmpty() ? null : max.getFirst();
            if (last == null) {
                break;
            }
            int n = jdbc.sql("DELETE FROM " + t.table() + " WHERE " + t.orderColumn() + " <= :last AND " + past)
                    .param("last", last).param("cutoff", cutoff).update();
            total += n;
            if (n < properties.batchSize()) {
                break;
            }
        }
        return total;
    }
}
