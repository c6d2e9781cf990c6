package dev.creditgate.gateway.option;

import java.util.HashMap;
import java.util.Map;

import dev.creditgate.gateway.secret.SecretBox;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code options} table; secret options ({@link SecretBox#isSecretOption}) are sealed at rest. */
@Repository
class OptionRepository {

    private final JdbcClient jdbc;
    private final SecretBox box;

    OptionRepository(JdbcClient jdbc, SecretBox box) {
        this.jdbc = jdbc;
        this.box = box;
    }

    /** Every option, secrets opened. */
    Map<String, String> loadAll() {
        Map<String, String> all = new HashMap<>();
        jdbc.sql("SELECT option_key, option_value FROM options")
                .query(rs -> {
                    String key = rs.getString(1);
                    String value = rs.getString(2);
                    all.put(key, SecretBox.isSecretOption(key) ? box.open(value, SecretBox.optionContext(key)) : value);
                });
        return all;
    }

    /** Portable upsert: update, else insert, else (lost an insert race) update again. A secret is sealed first. */
    void put(String key, String plain, long now) {
        String value = SecretBox.isSecretOption(key) && !plain.isEmpty()
                ? box.seal(plain, SecretBox.optionContext(key)) : plain;
        int updated = update(key, value, now);
        if (updated == 0) {
            try {
                jdbc.sql("INSERT INTO options (option_key, option_value, updated_time) VALUES (?, ?, ?)")
                        .params(key, value, now)
                        .update();
            } catch (DuplicateKeyException raced) {
                update(key, value, now);
            }
        }
    }

    private int update(String key, String value, long now) {
        return jdbc.sql("UPDATE options SET option_value = ?, updated_time = ? WHERE option_key = ?")
                .params(value, now, key)
                .update();
    }
}
