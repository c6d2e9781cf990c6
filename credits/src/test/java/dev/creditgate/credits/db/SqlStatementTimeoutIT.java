package dev.creditgate.credits.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;

/**
 * {@link Sql#run}'s joined statements (PostgreSQL: several steps sent as one) have the statement timeout of every
 * other statement ({@code spring.jdbc.template.query-timeout}): a statement that runs past it is cancelled. Before,
 * {@code Sql} built a {@code JdbcTemplate} of its own, without the timeout.
 */
class SqlStatementTimeoutIT {

    @Test
    void joinedStatementsAreCancelledAtTheStatementTimeout() {
        TestDatabases.Db db = TestDatabases.of("postgresql");
        try (CreditsApp app = CreditsApp.start(db, null, Map.of("spring.jdbc.template.query-timeout", "1s"))) {
            Sql sql = app.context.getBean(Sql.class);
            assertThat(sql.queryTimeoutSeconds()).isEqualTo(1);
            List<Sql.Step> steps = List.of(
                    Sql.Step.query("SELECT 1", List.of(), (rs, n) -> rs.getInt(1)),
                    Sql.Step.query("SELECT 2 FROM pg_sleep(5)", List.of(), (rs, n) -> rs.getInt(1)));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> sql.run(steps)).isInstanceOf(QueryTimeoutException.class);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("ms until the statement was cancelled").isBetween(900L, 4_000L);
            // the pool's connection is fine afterwards
            assertThat(sql.run(List.of(Sql.Step.query("SELECT 3", List.of(), (rs, n) -> rs.getInt(1)),
                    Sql.Step.query("SELECT 4", List.of(), (rs, n) -> rs.getInt(1))))).hasSize(2);
        } finally {
            TestDatabases.drop(db);
        }
    }
}
