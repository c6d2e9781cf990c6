package dev.creditgate.gateway.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;

/**
 * On H2 the statement timeout ({@code spring.jdbc.template.query-timeout}) is the connection's {@code QUERY_TIMEOUT},
 * not JDBC's per-statement {@code setQueryTimeout} (which makes H2 drop every session's compiled statements): a long
 * statement is still cut off at the timeout, and statements no longer change the database's metadata version.
 */
class H2StatementTimeoutIT {

    @Test
    void aLongStatementIsStillCutOffAndStatementsLeaveCompiledOnesAlone() throws Exception {
        try (RunningGateway gw = RunningGateway.start(TestDatabases.h2(), "spring.jdbc.template.query-timeout=1s")) {
            HikariDataSource pool = gw.context().getBean(HikariDataSource.class);
            assertThat(pool.getDataSourceProperties()).containsEntry("QUERY_TIMEOUT", "1000");
            assertThat(gw.context().getBean(JdbcTemplate.class).getQueryTimeout()).isEqualTo(-1);

            JdbcClient jdbc = gw.context().getBean(JdbcClient.class);
            Instant start = Instant.now();
            assertThatThrownBy(() -> jdbc.sql("SELECT SUM(a.X * b.X) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b").query(Long.class)
                    .single()).isInstanceOf(QueryTimeoutException.class);
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));

            // statements through Spring no longer run SET QUERY_TIMEOUT: the metadata version H2 keys its compiled
            // statements on stays where it was
            long before = metaVersion(pool);
            for (int i = 0; i < 50; i++) {
                jdbc.sql("SELECT COUNT(*) FROM tokens WHERE id = :id").param("id", i).query(Long.class).single();
            }
            assertThat(metaVersion(pool)).isEqualTo(before);
        }
    }

    /** H2's modification metadata id, read through its internal session object (what its query cache compares). */
    private static long metaVersion(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection()) {
            org.h2.jdbc.JdbcConnection h2 = c.unwrap(org.h2.jdbc.JdbcConnection.class);
            org.h2.engine.SessionLocal session = (org.h2.engine.SessionLocal) h2.getSession();
            try (ResultSet ignored = c.createStatement().executeQuery("SELECT 1")) {
                return session.getDatabase().getModificationMetaId();
            }
        }
    }
}
