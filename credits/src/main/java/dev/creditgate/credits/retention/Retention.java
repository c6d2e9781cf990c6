package dev.creditgate.credits.retention;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.creditgate.contract.db.BatchedRetention;
import dev.creditgate.contract.db.BatchedRetention.Target;

/**
 * Deletes what is older than its retention ({@link RetentionProperties}), in small batches ({@link BatchedRetention},
 * shared with the other service).
 */
@Component
@EnableConfigurationProperties(RetentionProperties.class)
public class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

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
                // cut along the indexed created_at_ms (ix_holds_created): a batch may take a few more rows on ties
                new Target("holds", "holds", "created_at_ms", false, "created_at_ms", "status <> 'PENDING'",
                        properties.holds()),
                new Target("webhook_log", "webhook_log", "received_at_ms", false, "id", "1 = 1",
                        properties.webhookLog()));
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
        return BatchedRetention.run(targets, clock.millis(), properties.batchSize(), properties.maxBatches(),
                new BatchedRetention.Statements() {
                    @Override
                    public Long queryLong(String sql, Map<String, Object> params) {
                        List<Long> rows = jdbc.sql(sql).params(params).query(Long.class).list();
                        return rows.isEmpty() ? null : rows.getFirst();
                    }

                    @Override
                    public int update(String sql, Map<String, Object> params) {
                        return jdbc.sql(sql).params(params).update();
                    }
                },
                (t, total) -> {
                    metrics.counter("credits.retention.deleted", "table", t.name()).increment(total);
                    log.info("retention: deleted {} {} row(s) older than {}", total, t.name(), t.age());
                });
    }
}
