package dev.creditgate.gateway.usage.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import dev.creditgate.gateway.support.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The outbox's intents and settlements are group-committed ({@code dev.creditgate.gateway.db.GroupCommit}): with 32
 * threads writing at once on each database, batches of two or more form, and still every intent is stored once, every
 * settlement answers for its own row, a duplicate event id fails only its own caller, and a settlement racing recovery
 * is decided exactly once per row.
 */
class OutboxGroupCommitIT {

    private static final int THREADS = 32;
    private static final int PER_THREAD = 40;

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void concurrentWritesShareTransactionsAndEachIsDecidedOnce(String vendor) throws Exception {
        TestDatabases.Db db = switch (vendor) {
            case "h2" -> TestDatabases.h2();
            case "postgresql" -> TestDatabases.postgres();
            default -> TestDatabases.mariadb();
        };
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(db.url());
        ds.setUsername(db.username());
        ds.setPassword(db.password());
        ds.setMaximumPoolSize(THREADS + 4);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/gateway/" + (vendor.equals("mariadb") ? "mysql"
                    : vendor)).load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            OutboxRepository repository = new OutboxRepository(jdbc, ds);
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            OutboxProperties properties = new OutboxProperties(Duration.ofHours(1), 100, 4, Duration.ofSeconds(60),
                    15, Duration.ofHours(72), Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofMinutes(30),
                    Duration.ofHours(1), Duration.ofDays(7));
            UsageOutbox outbox = new UsageOutbox(repository, properties, Clock.systemUTC(),
                    new StaticListableBeanFactory().getBeanProvider(OutboxDeliverer.class), metrics,
                    new DataSourceTransactionManager(ds));

            // 1. every thread writes its intents and settles them, all at once
            runOnThreads(t -> {
                for (int i = 0; i < PER_THREAD; i++) {
                    String id = "ev-" + t + "-" + i;
                    outbox.recordIntent(id, OutboxKind.WEBHOOK, t, "rk-" + t, null, payload(1));
                    assertThat(outbox.settle(id, OutboxKind.WEBHOOK, payload(2))).isTrue();
                }
            });
            int n = THREADS * PER_THREAD;
            assertThat(count(jdbc, "SELECT COUNT(*) FROM usage_events WHERE status = 'PENDING'")).isEqualTo(n);
            assertThat(count(jdbc, "SELECT COUNT(DISTINCT event_id) FROM usage_events")).isEqualTo(n);
            assertThat(jdbc.sql("SELECT payload FROM usage_events").query(String.class).list())
                    .allSatisfy(p -> assertThat(UsagePayload.fromJson(p).costUsd()).isEqualByComparingTo("2"));
            assertThat(batches(metrics, "intent")).as("intent batches of two or more").isPositive();
            assertThat(batches(metrics, "settle")).as("settle batches of two or more").isPositive();

            // 2. a duplicate event id among concurrent fresh ones: only its caller fails
            AtomicInteger duplicates = new AtomicInteger();
            runOnThreads(t -> {
                for (int i = 0; i < 10; i++) {
                    if (i == 5) {
                        assertThatThrownBy(() -> outbox.recordIntent("ev-" + t + "-0", OutboxKind.WEBHOOK, t, "rk", null,
                                payload(1))).isInstanceOf(DataIntegrityViolationException.class);
                        duplicates.incrementAndGet();
                    } else {
                        outbox.recordIntent("dup-" + t + "-" + i, OutboxKind.WEBHOOK, t, "rk", null, payload(1));
                    }
                }
            });
            assertThat(duplicates.get()).isEqualTo(THREADS);
            assertThat(count(jdbc, "SELECT COUNT(*) FROM usage_events WHERE event_id LIKE 'dup-%'"))
                    .isEqualTo(THREADS * 9);

            // 3. settlements racing recovery: each of these intents is settled or recovered, never both
            jdbc.sql("UPDATE usage_events SET next_attempt_at = 0 WHERE event_id LIKE 'dup-%'").update();
            AtomicInteger won = new AtomicInteger();
            AtomicInteger recovered = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread recovery = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 20; i++) {
                        recovered.addAndGet(repository.recoverIntents(System.currentTimeMillis()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            runOnThreads(t -> {
                go.countDown();
                for (int i = 0; i < 10; i++) {
                    if (i != 5 && outbox.settle("dup-" + t + "-" + i, OutboxKind.WEBHOOK, payload(3))) {
                        won.incrementAndGet();
                    }
                }
            });
            recovery.join();
            assertThat(won.get() + recovered.get()).isEqualTo(THREADS * 9);
            assertThat(count(jdbc, "SELECT COUNT(*) FROM usage_events WHERE event_id LIKE 'dup-%'"
                    + " AND status = 'PENDING'")).isEqualTo(THREADS * 9);
            assertThat(count(jdbc, "SELECT COUNT(*) FROM usage_events WHERE event_id LIKE 'dup-%'"
                    + " AND last_error IS NULL")).as("settled rows (recovery writes last_error)").isEqualTo(won.get());
        } finally {
            ds.close();
            db.drop().run();
        }
    }

    private interface PerThread {
        void run(int thread) throws Exception;
    }

    private static void runOnThreads(PerThread work) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    work.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static UsagePayload payload(int usd) {
        return new UsagePayload("m", 10, 5, BigDecimal.valueOf(usd), 1L, false);
    }

    private static long count(JdbcClient jdbc, String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    private static long batches(SimpleMeterRegistry metrics, String write) {
        return metrics.get("creditgate.usage.outbox.batch").tag("write", write).summary().count();
    }
}
