package dev.creditgate.credits.db;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.SqlParameterValue;
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
        try {
            return jdbc.sql(statement).params(params).update();
        } catch (DuplicateKeyException e) {
            if (ignore && dialect == Dialect.H2 && rows.size() == 1) {
                return 0;
            }
            throw e;
        }
    }
}
