package dev.creditgate.credits.db;

import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Shared SQL helpers: the dialect and the idempotent insert keyed by a client-generated id. */
@Component
public class Sql {

    private final JdbcClient jdbc;
    private final Dialect dialect;

    public Sql(JdbcClient jdbc, javax.sql.DataSource dataSource) {
        this.jdbc = jdbc;
        this.dialect = Dialect.of(dataSource);
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Inserts unless the unique key exists; 1 when inserted, 0 when the row was there (also under races). */
    public int insertIgnore(String table, String columnList, Map<String, ?> params) {
        try {
            return jdbc.sql(dialect.insertIgnore(table, columnList)).params(params).update();
        } catch (DuplicateKeyException e) {
            if (dialect == Dialect.H2) {
                return 0;
            }
            throw e;
        }
    }
}
