package dev.creditgate.credits.db;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.JdbcUpdateAffectedIncorrectNumberOfRowsException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Shared SQL helpers: the dialect and the idempotent insert keyed by a client-generated id. */
@Component
public class Sql {

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final Dialect dialect;

    /**
     * @param template Spring Boot's {@code JdbcTemplate} (the one {@code jdbc} runs on), so that {@link #run}'s
     *                 statements have the same statement timeout ({@code spring.jdbc.template.query-timeout},
     *                 {@link DatabaseTimeouts}) as every other; a template of its own had none
     */
    public Sql(JdbcClient jdbc, JdbcTemplate template, javax.sql.DataSource dataSource) {
        this.jdbc = jdbc;
        this.template = template;
        this.dialect = Dialect.of(dataSource);
    }

    /** The statement timeout of {@link #run}'s statements, in seconds (as {@link JdbcTemplate#getQueryTimeout}). */
    public int queryTimeoutSeconds() {
        return template.getQueryTimeout();
    }

    /**
     * A statement of {@link #run}: a query whose rows {@code rows} maps, or (rows null) an update; an update with
     * {@code expect >= 0} must change exactly that many rows, or it fails (and so the transaction).
     */
    public record Step(String sql, List<Object> params, RowMapper<?> rows, int expect) {

        public static Step update(String sql, List<Object> params) {
            return new Step(sql, params, null, -1);
        }

        public static Step query(String sql, List<Object> params, RowMapper<?> rows) {
            return new Step(sql, params, java.util.Objects.requireNonNull(rows), -1);
        }

        /** This update, failing unless it changes exactly {@code rows} rows. */
        public Step expecting(int rows) {
            if (this.rows != null || rows < 0) {
                throw new IllegalArgumentException("only an update can expect a row count >= 0");
            }
            return new Step(sql, params, null, rows);
        }
    }

    /** {@link #run(List, boolean)} without the commit. */
    public List<Object> run(List<Step> steps) {
        return run(steps, false);
    }

    /**
     * Runs {@code steps} in order in the current transaction; answers each query's rows (a {@code List}) and each
     * update's row count (an {@code Integer}), in order. On PostgreSQL they travel together, in one round trip (one
     * multi-statement prepared statement: the server runs them one after the other and stops at the first error,
     * which is thrown here; an update's expected row count is checked there, by the statement itself); elsewhere
     * they run one after the other, each count checked after its statement. Positional ({@code ?}) parameters.
     *
     * <p>{@code commit}: the steps are the transaction's last statements, and on PostgreSQL its {@code COMMIT}
     * travels with them (the transaction manager's commit then finds nothing left to do; a failed step, checks
     * included, leaves the transaction failed and the manager rolls it back); elsewhere the transaction manager
     * commits as usual.
     */
    public List<Object> run(List<Step> steps, boolean commit) {
        if (dialect != Dialect.POSTGRESQL || (steps.size() == 1 && !commit)) {
            List<Object> out = new ArrayList<>(steps.size());
            for (Step step : steps) {
                var statement = jdbc.sql(step.sql()).params(step.params());
                if (step.rows() != null) {
                    out.add(statement.query(step.rows()).list());
                    continue;
                }
                int n = statement.update();
                if (step.expect() >= 0 && n != step.expect()) {
                    throw new JdbcUpdateAffectedIncorrectNumberOfRowsException(step.sql(), step.expect(), n);
                }
                out.add(n);
            }
            return out;
        }
        StringBuilder joined = new StringBuilder();
        List<Object> params = new ArrayList<>();
        for (Step step : steps) {
            joined.append(joined.isEmpty() ? "" : ";\n");
            if (step.expect() >= 0) { // fails (division by zero) unless the update changed exactly expect rows
                joined.append("WITH changed AS (").append(step.sql()).append(" RETURNING 1) SELECT 1 / (CASE WHEN COUNT(*) = ")
                        .append(step.expect()).append(" THEN 1 ELSE 0 END) FROM changed");
            } else {
                joined.append(step.sql());
            }
            params.addAll(step.params());
        }
        if (commit) {
            joined.append(";\nCOMMIT");
        }
        return template.execute((java.sql.Connection c) -> c.prepareStatement(joined.toString()), ps -> {
            int index = 1;
            for (Object value : params) {
                if (value instanceof SqlParameterValue typed) {
                    StatementCreatorUtils.setParameterValue(ps, index++, typed, typed.getValue());
                } else {
                    StatementCreatorUtils.setParameterValue(ps, index++, SqlTypeValue.TYPE_UNKNOWN, value);
                }
            }
            List<Object> out = new ArrayList<>(steps.size());
            boolean isRows = ps.execute();
            for (Step step : steps) {
                boolean wantRows = step.rows() != null || step.expect() >= 0;
                if (isRows != wantRows) {
                    throw new IllegalStateException("statement " + out.size() + " of a pipeline answered "
                            + (isRows ? "rows" : "a count") + ": " + step.sql());
                }
                if (step.rows() != null) {
                    try (java.sql.ResultSet rs = ps.getResultSet()) {
                        out.add(new RowMapperResultSetExtractor<>(step.rows()).extractData(rs));
                    }
                } else {
                    out.add(step.expect() >= 0 ? step.expect() : ps.getUpdateCount());
                }
                isRows = ps.getMoreResults();
            }
            return out;
        });
    }

    /** A nullable text value for a positional parameter, typed so that a null needs no parameter-type look-up. */
    public static Object text(String s) {
        return s != null ? s : NULL_TEXT;
    }

    private static final SqlParameterValue NULL_TEXT = new SqlParameterValue(Types.VARCHAR, null);

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

    /**
     * One multi-row {@code INSERT INTO table columns VALUES (?, ..), (?, ..), ..} of {@code rows} (each the values in
     * column order), as insert-ignore when {@code ignore}; how many rows it inserted. On H2, which has no
     * insert-ignore, a row whose unique key exists makes it throw {@link DuplicateKeyException} (nothing inserted),
     * except for a single row, which then answers 0 as elsewhere.
     *
     * @param columns "(a, b, c)"
     */
    public int insertRows(String table, String columns, List<Object[]> rows, boolean ignore) {
        if (rows.isEmpty()) {
            return 0;
        }
        Step insert = insertStep(table, columns, rows, ignore);
        try {
            return jdbc.sql(insert.sql()).params(insert.params()).update();
        } catch (DuplicateKeyException e) {
            if (ignore && dialect == Dialect.H2 && rows.size() == 1) {
                return 0;
            }
            throw e;
        }
    }

    /** {@link #insertRows} as a {@link Step} of {@link #run} (at least one row). */
    public Step insertStep(String table, String columns, List<Object[]> rows, boolean ignore) {
        int width = rows.getFirst().length;
        String tuple = "(" + String.join(", ", java.util.Collections.nCopies(width, "?")) + ")";
        StringBuilder values = new StringBuilder(columns.length() + 16 + rows.size() * (tuple.length() + 2))
                .append(columns).append(" VALUES ");
        List<Object> params = new ArrayList<>(rows.size() * width);
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = rows.get(i);
            if (row.length != width) {
                throw new IllegalArgumentException("row " + i + " has " + row.length + " values, expected " + width);
            }
            values.append(i == 0 ? "" : ", ").append(tuple);
            params.addAll(Arrays.asList(row));
        }
        String statement = ignore ? dialect.insertIgnore(table, values.toString())
                : "INSERT INTO " + table + " " + values;
        return Step.update(statement, params);
    }
}
