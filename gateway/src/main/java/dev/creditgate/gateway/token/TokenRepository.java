package dev.creditgate.gateway.token;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

@Repository
class TokenRepository {

    static final RowMapper<Token> ROW = (rs, n) -> new Token(
            rs.getLong("id"), rs.getLong("user_id"), rs.getString("key_hash"), rs.getString("key_mask"), rs.getString("name"),
            rs.getInt("status"), rs.getLong("created_time"), rs.getLong("accessed_time"), rs.getLong("expired_time"),
            rs.getLong("remain_quota"), rs.getBoolean("unlimited_quota"), rs.getLong("used_quota"),
            rs.getLong("request_count"), rs.getBoolean("model_limits_enabled"), rs.getString("model_limits"),
            rs.getString("allow_ips"), rs.getString("group_name"), rs.getString("source"), rs.getString("remote_key_id"));

    /** Token plus its user's status and group (null when user_id is 0 or the user is gone). */
    record WithUser(Token token, Integer userStatus, String userGroup) {}

    private final JdbcClient jdbc;

    TokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(Token t) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("""
                INSERT INTO tokens (user_id, key_hash, key_mask, name, status, created_time, accessed_time, expired_time,
                    remain_quota, unlimited_quota, used_quota, request_count, model_limits_enabled, model_limits,
                    allow_ips, group_name, source, remote_key_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?)""")
                .params(t.userId(), t.keyHash(), t.maskedKey(), t.name(), t.status(), t.createdTime(), t.accessedTime(), t.expiredTime(),
                        t.remainQuota(), t.unlimitedQuota(), t.modelLimitsEnabled(), t.modelLimits(), t.allowIps(),
                        t.group(), t.source(), t.remoteKeyId())
                .update(keys, "id");
        return keys.getKeyAs(Number.class).longValue();
    }

    Optional<Token> find(long id) {
        return jdbc.sql("SELECT * FROM tokens WHERE id = ?").param(id).query(ROW).optional();
    }

    Optional<Token> findByHash(String keyHash) {
        return jdbc.sql("SELECT * FROM tokens WHERE key_hash = ?").param(keyHash).query(ROW).optional();
    }

    Optional<Token> findByRemoteKey(String source, String remoteKeyId) {
        return jdbc.sql("SELECT * FROM tokens WHERE remote_key_id = ? AND source = ?")
                .params(remoteKeyId, source).query(ROW).optional();
    }

    /** The hot-path lookup by the key's digest: one query for the token and its user. */
    Optional<WithUser> findForAuth(String keyHash) {
        return jdbc.sql("""
                SELECT t.*, u.status AS user_status, u.group_name AS user_group
                FROM tokens t LEFT JOIN users u ON u.id = t.user_id
                WHERE t.key_hash = ?""")
                .param(keyHash)
                .query((rs, n) -> {
                    int us = rs.getInt("user_status");
                    Integer userStatus = rs.wasNull() ? null : us;
                    return new WithUser(ROW.mapRow(rs, n), userStatus, rs.getString("user_group"));
                })
                .optional();
    }

    record Filter(String source, String remoteKeyId, Long userId) {}

    List<Token> list(Filter f, int offset, int limit) {
        List<Object> params = new ArrayList<>();
        String where = where(f, params);
        params.add(limit);
        params.add(offset);
        return jdbc.sql("SELECT * FROM tokens" + where + " ORDER BY id DESC LIMIT ? OFFSET ?")
                .params(params).query(ROW).list();
    }

    long count(Filter f) {
        List<Object> params = new ArrayList<>();
        String where = where(f, params);
        return jdbc.sql("SELECT COUNT(*) FROM tokens" + where).params(params).query(Long.class).single();
    }

    private static String where(Filter f, List<Object> params) {
        StringJoiner w = new StringJoiner(" AND ", " WHERE ", "").setEmptyValue("");
        if (f.source() != null) {
            w.add("source = ?");
            params.add(f.source());
        }
        if (f.remoteKeyId() != null) {
            w.add("remote_key_id = ?");
            params.add(f.remoteKeyId());
        }
        if (f.userId() != null) {
            w.add("user_id = ?");
            params.add(f.userId());
        }
        return w.toString();
    }

    /**
     * Sets the given columns (names from a fixed set chosen by the caller, never from input) on one token.
     *
     * @return rows changed (0: no such token)
     */
    int update(long id, Map<String, Object> columns) {
        if (columns.isEmpty()) {
            return find(id).isPresent() ? 1 : 0;
        }
        StringJoiner set = new StringJoiner(", ");
        List<Object> params = new ArrayList<>();
        columns.forEach((column, value) -> {
            set.add(column + " = ?");
            params.add(value);
        });
        params.add(id);
        return jdbc.sql("UPDATE tokens SET " + set + " WHERE id = ?").params(params).update();
    }

    int delete(long id) {
        return jdbc.sql("DELETE FROM tokens WHERE id = ?").param(id).update();
    }
}
