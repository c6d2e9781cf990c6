package dev.creditgate.gateway.quota;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh database for one test class, on H2, the JVM's one embedded PostgreSQL, or MariaDB
 * ({@code MARIADB_URL}, default {@code jdbc:mariadb://127.0.0.1:3306/test}, root, no password;
 * a test using it is skipped with the reason when the server is unreachable).
 */
final class TestDatabase implements AutoCloseable {

    enum Vendor { H2, POSTGRESQL, MARIADB }

    final Vendor vendor;
    final String url;
    final String username;
    final String password;
    private final String dropStatement;
    private final String adminUrl;
    private HikariDataSource dataSource;

    private TestDatabase(Vendor vendor, String url, String username, String password, String adminUrl,
                         String dropStatement) {
        this.vendor = vendor;
        this.url = url;
        this.username = username;
        this.password = password;
        this.adminUrl = adminUrl;
        this.dropStatement = dropStatement;
    }

    static TestDatabase create(Vendor vendor) {
        return switch (vendor) {
            case H2 -> h2();
            case POSTGRESQL -> postgres();
            case MARIADB -> mariadb();
        };
    }

    static TestDatabase h2() {
        String name = uniqueName();
        return new TestDatabase(Vendor.H2, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000",
                "sa", "", null, null);
    }

    static TestDatabase postgres() {
        String name = uniqueName();
        EmbeddedPostgres pg = PostgresHolder.instance();
        execute(pg.getJdbcUrl("postgres", "postgres"), "postgres", "", "CREATE DATABASE " + name);
        return new TestDatabase(Vendor.POSTGRESQL, pg.getJdbcUrl("postgres", name), "postgres", "",
                pg.getJdbcUrl("postgres", "postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    static TestDatabase mariadb() {
        String adminUrl = System.getenv().getOrDefault("MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test");
        String user = System.getenv().getOrDefault("MARIADB_USER", "root");
        String password = System.getenv().getOrDefault("MARIADB_PASSWORD", "");
        String name = uniqueName();
        try {
            execute(adminUrl, user, password, "CREATE DATABASE " + name);
        } catch (RuntimeException e) {
            Assumptions.assumeTrue(false, "MariaDB not reachable at " + adminUrl + ": " + e.getMessage());
        }
        String base = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1);
        return new TestDatabase(Vendor.MARIADB, base + name, user, password, adminUrl, "DROP DATABASE IF EXISTS " + name);
    }

    /** Applies the gateway's Flyway migrations (the real schema) and returns the pooled data source. */
    DataSource migrated() {
        Flyway.configure()
                .dataSource(dataSource())
                .locations("classpath:db/gateway/" + vendor.name().toLowerCase(Locale.ROOT))
                .load()
                .migrate();
        return dataSource();
    }

    /** A pooled data source on this database, created once. */
    synchronized DataSource dataSource() {
        if (dataSource == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(username);
            config.setPassword(password);
            config.setMaximumPoolSize(16);
            dataSource = new HikariDataSource(config);
        }
        return dataSource;
    }

    @Override
    public synchronized void close() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (dropStatement != null) {
            execute(adminUrl, username, password, dropStatement);
        }
    }

    @Override
    public String toString() {
        return vendor.name().toLowerCase(Locale.ROOT);
    }

    private static String uniqueName() {
        return "cg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** One embedded PostgreSQL per test JVM, started on first use. */
    private static final class PostgresHolder {
        private static final EmbeddedPostgres INSTANCE = start();

        static EmbeddedPostgres instance() {
            return INSTANCE;
        }

        private static EmbeddedPostgres start() {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
                return pg;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
