package dev.creditgate.gateway.user;

import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

@Repository
class UserRepository {

    private static final RowMapper<User> ROW = (rs, n) -> new User(
            rs.getLong("id"), rs.getString("username"), rs.getLong("quota"), rs.getLong("used_quota"),
            rs.getLong("request_count"), rs.getString("group_name"), rs.getInt("status"), rs.getLong("created_time"));

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(String username, long quota, String group, long now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("""
                INSERT INTO users (username, quota, used_quota, request_count, group_name, status, created_time)
                VALUES (?, ?, 0, 0, ?, 1, ?)""")
                .params(username, quota, group, now)
                .update(keys, "id");
        return keys.getKeyAs(Number.class).longValue();
    }

    Optional<User> find(long id) {
        return jdbc.sql("SELECT * FROM users WHERE id = ?").param(id).query(ROW).optional();
    }

    boolean exists(long id) {
        return jdbc.sql("SELECT COUNT(*) FROM users WHERE id = ?").param(id).query(Long.class).single() > 0;
    }

    /** Atomic: {@code quota = quota + delta}, refused (0 rows) when it would go below zero. */
    int addQuota(long id, long delta) {
        return jdbc.sql("UPDATE users SET quota = quota + ? WHERE id = ? AND quota + ? >= 0")
                .params(delta, id, delta)
                .update();
    }

    int setQuota(long id, long quota) {
        return jdbc.sql("UPDATE users SET quota = ? WHERE id = ?").params(quota, id).update();
    }

    int setStatus(long id, int status) {
        return jdbc.sql("UPDATE users SET status = ? WHERE id = ?").params(status, id).update();
    }
}
