package dev.creditgate.credits;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** Databases for tests: H2 in memory, one embedded PostgreSQL per JVM (a database per caller), MariaDB when reachable. */
public final class TestDatabases {

    /** A JDBC url + credentials. */
    public record Db(String vendor, String url, String user, String password) {
    }

    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** A database of the given vendor: h2, postgresql or mariadb (may skip the test). */
    public static Db of(String vendor) {
        return switch (vendor) {
            case "h2" -> h2();
            case "postgresql" -> postgres();
            case "mariadb" -> mariadb();
            default -> throw new IllegalArgumentException(vendor);
        };
    }

    public static Db h2() {
        return new Db("h2", "jdbc:h2:mem:cg_" + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    public static synchronized Db postgres() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (Exception ignored) {
                        // shutting down
                    }
                }));
            }
            String name = "cg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return new Db("postgresql", postgres.getJdbcUrl("postgres", name), "postgres", "postgres");
        } catch (Exception e) {
            throw new IllegalStateException("embedded PostgreSQL failed to start", e);
        }
    }

    /** A fresh MariaDB database, or the test is skipped with the reason. Drop it with {@link #drop(Db)}. */
    public static Db mariadb() {
        String base = System.getenv().getOrDefault("MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test");
        String user = System.getenv().getOrDefault("MARIADB_USER", "root");
        String password = System.getenv().getOrDefault("MARIADB_PASSWORD", "");
        String name = "cg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(base, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
        } catch (SQLException e) {
            Assumptions.assumeTrue(false, "MariaDB not reachable at " + base + ": " + e.getMessage());
        }
        String url = base.substring(0, base.lastIndexOf('/') + 1) + name;
        return new Db("mariadb", url, user, password);
    }

    public static void drop(Db db) {
        if (db == null || !db.vendor().equals("mariadb")) {
            return;
        }
        String name = db.url().substring(db.url().lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + name.toLowerCase(Locale.ROOT));
        } catch (SQLException e) {
            System.err.println("could not drop " + name + ": " + e.getMessage());
        }
    }
}
