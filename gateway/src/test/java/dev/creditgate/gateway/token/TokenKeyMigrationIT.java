package dev.creditgate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.support.TestDatabases;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * V4 on every database: tokens written by V1..V3 (plaintext {@code key_value}) keep working by their SHA-256 and show
 * the same masked key as before; the plaintext column is gone.
 */
class TokenKeyMigrationIT {

    private static final List<String> KEYS = List.of(
            "abcdEFGHijklMNOPqrstUVWXyz0123456789ABCDEFGHwxyz", "importedKey0123456789abcdefghij", "k10");

    @Test
    void h2() {
        migrate(TestDatabases.h2(), "h2");
    }

    @Test
    void h2InLegacyMode() { // the mode of gateway.yml's and the demo's H2 files
        TestDatabases.Db mem = TestDatabases.h2();
        migrate(new TestDatabases.Db(mem.url() + ";MODE=LEGACY", mem.username(), mem.password(), mem.drop()), "h2");
    }

    @Test
    void postgres() {
        migrate(TestDatabases.postgres(), "postgresql");
    }

    @Test
    void mariadb() {
        migrate(TestDatabases.mariadb(), "mysql");
    }

    private static void migrate(TestDatabases.Db db, String folder) {
        try {
            var ds = new DriverManagerDataSource(db.url(), db.username(), db.password());
            Flyway.configure().dataSource(ds).locations("classpath:db/gateway/" + folder).target("3").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            long id = 1;
            for (String key : KEYS) {
                jdbc.sql("INSERT INTO tokens (id, user_id, key_value, name, created_time, model_limits, allow_ips) "
                                + "VALUES (?, 0, ?, 'n', 0, '', '')")
                        .params(id++, key).update();
            }

            Flyway.configure().dataSource(ds).locations("classpath:db/gateway/" + folder).load().migrate();

            List<Map<String, Object>> rows = jdbc.sql("SELECT * FROM tokens ORDER BY id").query().listOfRows();
            assertThat(rows).hasSize(KEYS.size());
            for (int i = 0; i < KEYS.size(); i++) {
                Map<String, Object> row = lower(rows.get(i));
                assertThat(row).doesNotContainKey("key_value");
                assertThat(row.get("key_hash")).isEqualTo(TokenKeys.hash(KEYS.get(i)));
                assertThat(row.get("key_mask")).isEqualTo(TokenKeys.mask(KEYS.get(i)));
                assertThat(row.values()).doesNotContain(KEYS.get(i));
            }
            // New rows are found by hash, and the hash is unique.
            TokenRepository repo = new TokenRepository(jdbc);
            assertThat(repo.findForAuth(TokenKeys.hash(KEYS.get(0)))).get()
                    .satisfies(w -> assertThat(w.token().id()).isEqualTo(1));
            assertThat(repo.findForAuth(TokenKeys.hash(KEYS.get(0) + "x"))).isEmpty();
        } finally {
            db.drop().run();
        }
    }

    private static Map<String, Object> lower(Map<String, Object> row) {
        var out = new java.util.HashMap<String, Object>();
        row.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return out;
    }
}
