package dev.creditgate.gateway.usage.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * {@code gateway.usage.outbox.give-up-after}: a row whose attempts never count (the platform's breaker is open for
 * as long as it fails) is FAILED once it is older than the horizon, instead of being retried forever (H2, time moved
 * by a {@link MutableClock}).
 */
class OutboxGiveUpIT {

    @Test
    void aRowThatFailsWithoutCountingGivesUpAtTheHorizon() {
        TestDatabases.Db db = TestDatabases.h2();
        DriverManagerDataSource ds = new DriverManagerDataSource(db.url(), db.username(), db.password());
        Flyway.configure().dataSource(ds).locations("classpath:db/gateway/h2").load().migrate();
        JdbcClient jdbc = JdbcClient.create(ds);
        OutboxRepository repository = new OutboxRepository(jdbc, ds);
        MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
        AtomicInteger attempts = new AtomicInteger();
        UsageDelivery breakerOpen = e -> {
            attempts.incrementAndGet();
            return new UsageDelivery.Retry("credit platform unavailable (breaker open)", false);
        };
        OutboxProperties properties = new OutboxProperties(Duration.ofHours(1), 100, 4, Duration.ofSeconds(60), 15,
                Duration.ofHours(72), Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofDays(7));
        OutboxDeliverer deliverer = new OutboxDeliverer(repository, properties,
                new StaticListableBeanFactory(Map.of("delivery", breakerOpen)).getBeanProvider(UsageDelivery.class),
                clock, new SimpleMeterRegistry());
        long now = clock.millis();
        String payload = new UsagePayload("m", 1, 1, BigDecimal.ONE, now, false).toJson();
        repository.insertIntent("ev-1", OutboxKind.WEBHOOK, 1, "rk", null, payload, now, now, null, 0);
        assertThat(repository.settle("ev-1", OutboxKind.WEBHOOK, payload, now, null, 0)).isTrue();
        deliverer.start();
        try {
            for (int hour = 0; hour < 71; hour++) { // retried through the outage; the attempts do not count
                deliverer.runOnce();
                clock.advance(Duration.ofHours(1));
            }
            assertThat(status(jdbc)).isEqualTo("PENDING");
            assertThat(jdbc.sql("SELECT attempts FROM usage_events").query(Integer.class).single()).isZero();
            clock.advance(Duration.ofHours(2)); // past 72 h since the row was written
            deliverer.runOnce();
            assertThat(status(jdbc)).isEqualTo("FAILED");
            assertThat(jdbc.sql("SELECT last_error FROM usage_events").query(String.class).single())
                    .contains("breaker open").contains("give-up-after");
            int tried = attempts.get();
            clock.advance(Duration.ofHours(1));
            deliverer.runOnce();
            assertThat(attempts.get()).isEqualTo(tried); // a FAILED row is not tried again
            assertThat(tried).isGreaterThanOrEqualTo(72);
        } finally {
            deliverer.stop();
        }
    }

    static String status(JdbcClient jdbc) {
        return jdbc.sql("SELECT status FROM usage_events").query(String.class).single();
    }
}
