package dev.creditgate.gateway.option;

import java.util.HashMap;
import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class OptionRepository {

    private final JdbcClient jdbc;

    OptionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Map<String, String> loadAll() {
        Map<String, String> all = new HashMap<>();
        jdbc.sql("SELECT option_key, option_value FROM options")
                .query(rs -> {
                    all.put(rs.getString(1), rs.getString(2));
                });
        return all;
    }

    /** Portable upsert: update, else insert, else (lost an insert race) update again. */
    void put(String key, String value, long now) {
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
