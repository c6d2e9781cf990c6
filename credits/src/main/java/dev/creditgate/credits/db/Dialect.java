package dev.creditgate.credits.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

/** The three supported databases, told apart once from the JDBC metadata. Dialect-specific SQL lives next to its portable twin. */
public enum Dialect {
    H2, POSTGRESQL, MYSQL;

    public static Dialect of(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                return POSTGRESQL;
            }
            if (product.contains("mysql") || product.contains("mariadb")) {
                return MYSQL;
            }
            if (product.contains("h2")) {
                return H2;
            }
            throw new IllegalStateException("unsupported database: " + product);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read database metadata", e);
        }
    }

    /**
     * {@code INSERT} that does nothing (0 rows) when the row's unique key exists: PostgreSQL {@code ON CONFLICT DO
     * NOTHING}, MySQL/MariaDB {@code INSERT IGNORE}; H2 has neither outside its PostgreSQL mode, so there the plain
     * insert is used and the caller maps the duplicate-key error to 0 rows (H2 keeps the transaction usable).
     *
     * @param table      table name
     * @param columnList "(a, b, c) VALUES (:a, :b, :c)"
     */
    public String insertIgnore(String table, String columnList) {
        return switch (this) {
            case POSTGRESQL -> "INSERT INTO " + table + " " + columnList + " ON CONFLICT DO NOTHING";
            case MYSQL -> "INSERT IGNORE INTO " + table + " " + columnList;
            case H2 -> "INSERT INTO " + table + " " + columnList;
        };
    }

    /** Whether {@code UPDATE ... RETURNING} saves the read-back round trip. */
    public boolean updateReturning() {
        return this == POSTGRESQL;
    }
}
