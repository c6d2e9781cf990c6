package dev.creditgate.gateway.quota;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Test helper: writes users and tokens, reads their balances. */
final class QuotaRows {

    private final JdbcClient jdbc;

    QuotaRows(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void clear() {
        jdbc.sql("DELETE FROM tokens").update();
        jdbc.sql("DELETE FROM users").update();
    }

    void user(long id, long quota) {
        jdbc.sql("INSERT INTO users (id, username, quota, used_quota, request_count, group_name, status, created_time) "
                        + "VALUES (:id, :name, :quota, 0, 0, 'default', 1, 0)")
                .param("id", id).param("name", "u" + id).param("quota", quota).update();
    }

    void token(long id, long userId, long remain, boolean unlimited) {
        jdbc.sql("INSERT INTO tokens (id, user_id, key_hash, name, created_time, remain_quota, unlimited_quota, "
                        + "model_limits, allow_ips) VALUES (:id, :user, :key, :key, 0, :remain, :unlimited, '', '')")
                .param("id", id).param("key", "k" + id).param("user", userId).param("remain", remain).param("unlimited", unlimited).update();
    }

    void setUserQuota(long id, long quota) {
        jdbc.sql("UPDATE users SET quota = :q WHERE id = :id").param("q", quota).param("id", id).update();
    }

    long userQuota(long id) {
        return value("SELECT quota FROM users WHERE id = :id", id);
    }

    long tokenRemain(long id) {
        return value("SELECT remain_quota FROM tokens WHERE id = :id", id);
    }

    private long value(String sql, long id) {
        return jdbc.sql(sql).param("id", id).query(Long.class).single();
    }
}
