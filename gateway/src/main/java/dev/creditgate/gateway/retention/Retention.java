package dev.creditgate.gateway.retention;

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
 * Deletes what is older than its retention ({@link RetentionProperties}) in small batches: for each table, the id
 * of the {@code batch-size}-th oldest row past its age, then {@code DELETE .. WHERE id <= that AND <past its age>}
 * (the same statements on H2, MySQL/MariaDB and PostgreSQL), until a batch comes back short or {@code max-batches}
 * ran. Any instance may run it; two at once delete the same rows, which is harmless.
 */
@Component
@EnableConfigurationProperties(RetentionProperties.class)
public class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    /** A table, the column its age is read from (in {@code unit} since the epoch), and which rows may go. */
    private record Target(String name, String table, String timeColumn, boolean seconds, String condition,
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
                new Target("logs", "logs", "created_at", true, "1 = 1", properties.logs()),
                new Target("failed_events", "usage_events", "updated_at", false, "status = 'FAILED'",
                        properties.failedEvents()));
    }

    @Scheduled(initialDelayString = "${gateway.retention.initial-delay:60s}",
            fixedDelayString = "${gateway.retention.interval:1h}")
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
        long nowMs = clock.millis();
        for (Target t : targets) {
            if (t.age().isZero()) {
                continue; // kept forever
            }
            long cutoffMs = nowMs - t.age().toMillis();
            long cutoff = t.seconds() ? Math.floorDiv(cutoffMs, 1000) : cutoffMs;
            long total = deleteOlder(t, cutoff);
            deleted.put(t.name(), total);
            if (total > 0) {
                metrics.counter("gateway.retention.deleted", "table", t.name()).increment(total);
                log.info("retention: deleted {} {} row(s) older than {}", total, t.name(), t.age());
            }
        }
        return deleted;
    }

    private long deleteOlder(Target t, long cutoff) {
        String past = t.timeColumn() + " < :cutoff AND " + t.condition();
        long total = 0;
        for (int i = 0; i < properties.maxBatches(); i++) {
            List<Long> max = jdbc.sql("SELECT MAX(id) FROM (SELECT id FROM " + t.table() + " WHERE " + past
                            + " ORDER BY id LIMIT :n) oldest")
                    .param("cutoff", cutoff).param("n", properties.batchSize()).query(Long.class).list();
            Long last = max.isEmpty() ? null : max.getFirst();
            if (last == null) {
                break;
            }
            int n = jdbc.sql("DELETE FROM " + t.table() + " WHERE id <= :last AND " + past)
                    .param("last", last).param("cutoff", cutoff).update();
            total += n;
            if (n < properties.batchSize()) {
                break;
            }
        }
        return total;
    }
}
