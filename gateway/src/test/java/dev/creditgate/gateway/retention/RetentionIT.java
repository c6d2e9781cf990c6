package dev.creditgate.gateway.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Retention of logs and FAILED usage events on the three databases, time moved by a {@link MutableClock}. */
class RetentionIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @ParameterizedTest
    @MethodSource("vendors")
    void oldRowsGoInBatchesAndEverythingElseStays(String vendor) {
        TestDatabases.Db db = switch (vendor) {
            case "h2" -> TestDatabases.h2();
            case "postgresql" -> TestDatabases.postgres();
            default -> TestDatabases.mariadb();
        };
        try {
            DriverManagerDataSource ds = new DriverManagerDataSource(db.url(), db.username(), db.password());
            Flyway.configure().dataSource(ds).locations("classpath:db/gateway/" + (vendor.equals("mariadb") ? "mysql"
                    : vendor)).load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            MutableClock clock = new MutableClock(NOW);
            long day = Duration.ofDays(1).toSeconds();
            long now = NOW.getEpochSecond();
            for (int i = 0; i < 25; i++) {
                log(jdbc, now - 100 * day - i, "old-" + i);  // past 90 days
            }
            log(jdbc, now - 89 * day, "recent");
            event(jdbc, "failed-old", "FAILED", (now - 31 * day) * 1000);
            event(jdbc, "failed-new", "FAILED", (now - 29 * day) * 1000);
            event(jdbc, "pending-old", "PENDING", (now - 60 * day) * 1000);

            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            Retention retention = new Retention(jdbc, clock,
                    new RetentionProperties(Duration.ofDays(90), Duration.ofDays(30), Duration.ofHours(1), 10, 2),
                    metrics);
            // at most 2 batches of 10 per run: 20 of the 25 old rows now, the rest next time
            assertThat(retention.run()).isEqualTo(Map.of("logs", 20L, "failed_events", 1L));
            assertThat(retention.run()).isEqualTo(Map.of("logs", 5L, "failed_events", 0L));
            assertThat(ids(jdbc, "SELECT request_id FROM logs")).isEqualTo("recent");
            assertThat(ids(jdbc, "SELECT event_id FROM usage_events ORDER BY event_id"))
                    .isEqualTo("failed-new,pending-old"); // a pending event is never deleted
            assertThat(metrics.get("gateway.retention.deleted").tag("table", "logs").counter().count()).isEqualTo(25);

            clock.advance(Duration.ofDays(2)); // now the recent ones are old too
            assertThat(retention.run()).isEqualTo(Map.of("logs", 1L, "failed_events", 1L));

            // 0 keeps forever
            log(jdbc, now - 1000 * day, "ancient");
            Retention keep = new Retention(jdbc, clock,
                    new RetentionProperties(Duration.ZERO, Duration.ZERO, Duration.ofHours(1), 10, 2), metrics);
            assertThat(keep.run()).isEmpty();
            assertThat(ids(jdbc, "SELECT request_id FROM logs")).isEqualTo("ancient");
        } finally {
            db.drop().run();
        }
    }

    static void log(JdbcClient jdbc, long createdAt, String requestId) {
        jdbc.sql("INSERT INTO logs (created_at, type, request_id, content) VALUES (:t, 2, :r, '')")
                .param("t", createdAt).param("r", requestId).update();
    }

    static void event(JdbcClient jdbc, String eventId, String status, long updatedAtMs) {
        jdbc.sql("""
                INSERT INTO usage_events (event_id, kind, status, token_id, payload, next_attempt_at, created_at,
                                          updated_at)
                VALUES (:e, 'WEBHOOK', :s, 1, '{}', 0, :t, :t)""")
                .param("e", eventId).param("s", status).param("t", updatedAtMs).update();
    }

    static String ids(JdbcClient jdbc, String query) {
        return String.join(",", jdbc.sql(query).query(String.class).list());
    }
}
