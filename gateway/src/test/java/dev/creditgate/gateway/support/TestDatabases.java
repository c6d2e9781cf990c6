package dev.creditgate.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Assumptions;

/** The three databases the gateway's storage is tested on; each test class gets a database of its own. */
public final class TestDatabases {

    /** A JDBC URL with its credentials, and how to drop the database afterwards. */
    public record Db(String url, String username, String password, Runnable drop) {}

    private TestDatabases() {}

    public static Db h2() {
        String name = "cg_" + UUID.randomUUID().toString().replace("-", "");
        return new Db("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", () -> { });
    }

    /** One embedded PostgreSQL per test JVM, started on first use; one database per call. */
    public static Db postgres() {
        EmbeddedPostgres pg = PostgresHolder.INSTANCE;
        String name = "cg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new Db(pg.getJdbcUrl("postgres", name), "postgres", "postgres", () -> {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                // best effort: the server goes away with the JVM
            }
        });
    }

    /**
     * A fresh database on the MariaDB at {@code MARIADB_URL} (default {@code jdbc:mariadb://127.0.0.1:3306/test},
     * user {@code MARIADB_USER} or root, password {@code MARIADB_PASSWORD} or empty); skips the test when none answers.
     */
    public static Db mariadb() {
        String url = env("MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test");
        String user = env("MARIADB_USER", "root");
        String password = env("MARIADB_PASSWORD", "");
        String name = "cg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "connectTimeout=2000",
                user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            Assumptions.assumeTrue(false, "MariaDB not reachable at " + url + ": " + e.getMessage());
        }
        String base = url.substring(0, url.lastIndexOf('/') + 1);
        String query = url.contains("?") ? url.substring(url.indexOf('?')) : "";
        return new Db(base + name + query, user, password, () -> {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name);
            } catch (SQLException e) {
                // best effort
            }
        });
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    private static final class PostgresHolder {
        static final EmbeddedPostgres INSTANCE = start();

        private static EmbeddedPostgres start() {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException e) {
                        // exiting anyway
                    }
                }));
                return pg;
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL could not start", e);
            }
        }
    }
}
