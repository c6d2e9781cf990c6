package dev.creditgate.gateway.quota;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.creditgate.gateway.support.TestDatabases;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A fresh database of one vendor (from {@link TestDatabases}: H2, the JVM's one embedded PostgreSQL, or MariaDB,
 * skipped with the reason when unreachable), with a connection pool and the gateway's Flyway migrations.
 */
final class TestDatabase implements AutoCloseable {

    enum Vendor { H2, POSTGRESQL, MARIADB }

    final Vendor vendor;
    final TestDatabases.Db db;
    private HikariDataSource dataSource;

    private TestDatabase(Vendor vendor, TestDatabases.Db db) {
        this.vendor = vendor;
        this.db = db;
    }

    static TestDatabase create(Vendor vendor) {
        return new TestDatabase(vendor, switch (vendor) {
            case H2 -> h2();
            case POSTGRESQL -> TestDatabases.postgres();
            case MARIADB -> TestDatabases.mariadb();
        });
    }

    /** H2 waits up to 20 s for a row lock (default 1 s: too short for a test that queues 32 threads on one row). */
    private static TestDatabases.Db h2() {
        TestDatabases.Db h2 = TestDatabases.h2();
        return new TestDatabases.Db(h2.url() + ";LOCK_TIMEOUT=20000", h2.username(), h2.password(), h2.drop());
    }

    /** Applies the gateway's Flyway migrations (the real schema) and returns the pooled data source. */
    DataSource migrated() {
        Flyway.configure()
                .dataSource(dataSource())
                .locations("classpath:db/gateway/" + folder())
                .load()
                .migrate();
        return dataSource();
    }

    /** The migration folder: MariaDB runs the MySQL scripts (there is no {@code mariadb} folder, see MigrationFolders). */
    private String folder() {
        return vendor == Vendor.MARIADB ? "mysql" : vendor.name().toLowerCase(Locale.ROOT);
    }

    /** A pooled data source on this database, created once. */
    synchronized DataSource dataSource() {
        if (dataSource == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.url());
            config.setUsername(db.username());
            config.setPassword(db.password());
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
        db.drop().run();
    }

    @Override
    public String toString() {
        return vendor.name().toLowerCase(Locale.ROOT);
    }
}
