package dev.creditgate.credits.db;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
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

    public Sql(JdbcClient jdbc, javax.sql.DataSource dataSource) {
        this.jdbc = jdbc;
        this.template = new JdbcTemplate(dataSource);
        this.dialect = Dialect.of(dataSource);
    }

    /** A statement of {@link #run}: a query whose rows {@code rows} maps, or (rows null) an update. */
    public record Step(String sql, List<Object> params, RowMapper<?> rows) {

        public static Step update(String sql, List<Object> params) {
            return new Step(sql, params, null);
        }

        public static Step query(String sql, List<Object> params, RowMapper<?> rows) {
            return new Step(sql, params, java.util.Objects.requireNonNull(rows));
        }
    }

    /**
     * Runs {@code steps} in order in the current transaction; answers each query's rows (a {@code List}) and each
     * update's row count (an {@code Integer}), in order. On PostgreSQL they travel together, in one round trip
     * (one multi-statement prepared statement: the server runs them one after the other and stops at the first
     * error, which is thrown); elsewhere they run one after the other. Positional ({@code ?}) parameters.
     */
    public List<Object> run(List<Step> steps) {
        if (dialect != Dialect.POSTGRESQL || steps.size() == 1) {
            List<Object> out = new ArrayList<>(steps.size());
            for (Step step : steps) {
                var statement = jdbc.sql(step.sql()).params(step.params());
                out.add(step.rows() == null ? (Object) statement.update() : statement.query(step.rows()).list());
            }
            return out;
        }
        StringBuilder joined = new StringBuilder();
        for (Step step : steps) {
            joined.append(joined.isEmpty() ? "" : ";\n").append(step.sql());
        }
        return template.execute((java.sql.Connection c) -> c.prepareStatement(joined.toString()), ps -> {
            int index = 1;
            for (Step step : steps) {
                for (Object value : step.params()) {
                    if (value instanceof SqlParameterValue typed) {
                        StatementCreatorUtils.setParameterValue(ps, index++, typed, typed.getValue());
                    } else {
                        StatementCreatorUtils.setParameterValue(ps, index++, SqlTypeValue.TYPE_UNKNOWN, value);
                    }
                }
            }
            List<Object> out = new ArrayList<>(steps.size());
            boolean isRows = ps.execute();
            for (Step step : steps) {
                if (isRows != (step.rows() != null)) {
                    throw new IllegalStateException("statement " + out.size() + " of a pipeline answered "
                            + (isRows ? "rows" : "a count") + ": " + step.sql());
                }
                if (isRows) {
                    try (java.sql.ResultSet rs = ps.getResultSet()) {
                        out.add(new RowMapperResultSetExtractor<>(step.rows()).extractData(rs));
                    }
                } else {
                    out.add(ps.getUpdateCount());
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
