package dev.creditgate.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** One embedded PostgreSQL per test JVM, started on first use; {@link #newDatabase()} gives each caller its own. */
final class EmbeddedPg {

    private EmbeddedPg() {}

    /** A fresh database; answers its JDBC URL (user and password {@code postgres}). */
    static String newDatabase() {
        EmbeddedPostgres pg = Holder.INSTANCE;
        String name = "cg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return pg.getJdbcUrl("postgres", name);
    }

    private static final class Holder {
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
