package dev.creditgate.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;

import dev.creditgate.gateway.GatewayProperties;
import dev.creditgate.gateway.support.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/** The log writer's batches: rows with their counters, and the refunds that ride with them. */
class LogWriterTest {

    private static final Duration LONG = Duration.ofSeconds(30); // nothing is written by time during a test

    private JdbcClient jdbc;
    private SimpleMeterRegistry metrics;
    private LogWriter writer;

    @BeforeEach
    void start() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(TestDatabases.h2().url());
        ds.setUser("sa");
        Flyway.configure().dataSource(ds).locations("classpath:db/gateway/h2").load().migrate();
        jdbc = JdbcClient.create(ds);
        jdbc.sql("INSERT INTO users (id, username, quota, created_time) VALUES (1, 'u1', 1000, 0)").update();
        jdbc.sql("INSERT INTO tokens (id, user_id, key_hash, created_time, remain_quota) VALUES (10, 1, 'h10', 0, 500)")
                .update();
        metrics = new SimpleMeterRegistry();
        LogRepository repository = new LogRepository(jdbc, new JdbcTemplate(ds),
                new TransactionTemplate(new DataSourceTransactionManager(ds)));
        writer = new LogWriter(repository, properties(100_000), metrics);
    }

    @AfterEach
    void stop() {
        writer.stop();
    }

    @Test
    void aRefundIsWrittenWithTheBatchOfRows() {
        writer.start();
        assertThat(writer.awaitRefunds(LONG)).as("nothing pending").isFalse();

        assertThat(writer.refundLater(new BalanceRefund(10, 68, 1, 68))).isTrue();
        assertThat(writer.write(row("r1", 32))).isTrue();
        assertThat(tokenRemain()).as("not yet written").isEqualTo(500);

        assertThat(writer.awaitRefunds(LONG)).isTrue();

        assertThat(tokenRemain()).isEqualTo(568);
        assertThat(userQuota()).isEqualTo(1068);
        assertThat(jdbc.sql("SELECT used_quota FROM tokens WHERE id = 10").query(Long.class).single()).isEqualTo(32);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM logs").query(Long.class).single()).isEqualTo(1);
        assertThat(writer.awaitRefunds(LONG)).as("nothing pending any more").isFalse();
    }

    @Test
    void anUnlimitedTokenGetsNothingBackItsUserDoes() {
        writer.start();
        writer.refundLater(new BalanceRefund(10, 0, 1, 40));

        writer.awaitRefunds(LONG);

        assertThat(tokenRemain()).isEqualTo(500);
        assertThat(userQuota()).isEqualTo(1040);
    }

    @Test
    void refundsAreWrittenEvenWhenTheirBatchOfRowsFails() {
        writer.start();
        writer.refundLater(new BalanceRefund(10, 100, 1, 100));
        // LogEntry cuts every text to its column, so the batch is made to fail by a constraint the row breaks
        jdbc.sql("ALTER TABLE logs ADD CONSTRAINT test_no_rows CHECK (quota < 0)").update();
        writer.write(row("x".repeat(100), 32));

        writer.awaitRefunds(LONG);

        assertThat(tokenRemain()).isEqualTo(600);
        assertThat(userQuota()).isEqualTo(1100);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM logs").query(Long.class).single()).isZero();
        assertThat(metrics.counter("gateway.logs.failed").count()).isEqualTo(1);
        assertThat(metrics.counter("gateway.quota.refunds.failed").count()).isZero();
    }

    @Test
    void aFullQueueRefusesTheRefundSoThatTheCallerWritesIt() {
        LogWriter tiny = new LogWriter(new LogRepository(jdbc, null, null), properties(1), metrics); // never started
        assertThat(tiny.refundLater(new BalanceRefund(10, 1, 1, 1))).isTrue();

        assertThat(tiny.refundLater(new BalanceRefund(10, 1, 1, 1))).isFalse();
    }

    @Test
    void stoppingWritesThePendingRefunds() {
        writer.start();
        writer.refundLater(new BalanceRefund(10, 5, 1, 5));

        writer.stop();

        assertThat(tokenRemain()).isEqualTo(505);
        assertThat(userQuota()).isEqualTo(1005);
    }

    private long tokenRemain() {
        return jdbc.sql("SELECT remain_quota FROM tokens WHERE id = 10").query(Long.class).single();
    }

    private long userQuota() {
        return jdbc.sql("SELECT quota FROM users WHERE id = 1").query(Long.class).single();
    }

    private static LogEntry row(String requestId, long quota) {
        return new LogEntry(1_700_000_000L, LogEntry.CONSUME, 1, 10, "t", "m", 3, 5, quota, requestId, false, 10, 0,
                "", BigDecimal.ZERO, "");
    }

    private static GatewayProperties properties(int queueCapacity) {
        return new GatewayProperties("0123456789abcdef0123456789abcdef", DataSize.ofMegabytes(8), DataSize.ofMegabytes(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1), new GatewayProperties.Upstream(Duration.ofSeconds(5), Duration.ofSeconds(300),
                Duration.ofSeconds(120), 3, GatewayProperties.Upstream.Client.DIRECT, Duration.ofSeconds(20)),
                new GatewayProperties.Logs(queueCapacity, LONG, 500));
    }
}
