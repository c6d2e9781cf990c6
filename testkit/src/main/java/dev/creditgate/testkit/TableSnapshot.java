package dev.creditgate.testkit;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

/**
 * Every row of every table of a database's current schema, read with plain JDBC, to compare a database before and
 * after a request: {@link #diff} names the rows that appeared or disappeared in each table. Flyway's history table
 * is left out; so are the tables a caller names.
 */
public record TableSnapshot(Map<String, List<String>> rows) {

    /** Reads every table (names lower-cased) except {@code flyway_schema_history} and {@code ignored}. */
    public static TableSnapshot take(DataSource ds, Set<String> ignored) {
        try (Connection c = ds.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            List<String> tables = new ArrayList<>();
            String catalog = c.getCatalog();
            String schema = c.getSchema();
            try (ResultSet t = meta.getTables(catalog, schema, "%", new String[] {"TABLE"})) {
                while (t.next()) {
                    String name = t.getString("TABLE_NAME");
                    String lower = name.toLowerCase(Locale.ROOT);
                    if (!lower.equals("flyway_schema_history") && !ignored.contains(lower)) {
                        tables.add(name);
                    }
                }
            }
            if (tables.isEmpty()) {
                throw new IllegalStateException("no table found in schema " + schema + " of catalog " + catalog);
            }
            Map<String, List<String>> all = new TreeMap<>();
            for (String table : tables) {
                all.put(table.toLowerCase(Locale.ROOT), rows(c, meta.getIdentifierQuoteString(), table));
            }
            return new TableSnapshot(Collections.unmodifiableMap(all));
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the tables", e);
        }
    }

    private static List<String> rows(Connection c, String quote, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + quote + table + quote)) {
            ResultSetMetaData m = r.getMetaData();
            while (r.next()) {
                StringBuilder row = new StringBuilder("{");
                for (int i = 1; i <= m.getColumnCount(); i++) {
                    Object v = r.getObject(i);
                    if (v instanceof byte[] bytes) {
                        v = java.util.HexFormat.of().formatHex(bytes);
                    }
                    row.append(i > 1 ? ", " : "").append(m.getColumnLabel(i).toLowerCase(Locale.ROOT)).append('=').append(v);
                }
                out.add(row.append('}').toString());
            }
        }
        Collections.sort(out);
        return Collections.unmodifiableList(out);
    }

    /** The number of rows of {@code table}. */
    public int count(String table) {
        List<String> r = rows.get(table);
        if (r == null) {
            throw new IllegalArgumentException("no table " + table + " in " + rows.keySet());
        }
        return r.size();
    }

    /** What changed from this snapshot to {@code after}, one line per row added or removed; empty when nothing did. */
    public String diff(TableSnapshot after) {
        StringBuilder out = new StringBuilder();
        Set<String> names = new java.util.TreeSet<>(rows.keySet());
        names.addAll(after.rows.keySet());
        for (String name : names) {
            List<String> was = rows.getOrDefault(name, List.of());
            List<String> now = after.rows.getOrDefault(name, List.of());
            if (was.equals(now)) {
                continue;
            }
            List<String> removed = new ArrayList<>(was);
            now.forEach(removed::remove);
            List<String> added = new ArrayList<>(now);
            was.forEach(added::remove);
            removed.forEach(r -> out.append(name).append(" - ").append(r).append('\n'));
            added.forEach(r -> out.append(name).append(" + ").append(r).append('\n'));
        }
        return out.toString();
    }
}
