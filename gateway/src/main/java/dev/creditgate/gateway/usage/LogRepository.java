package dev.creditgate.gateway.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

@Repository
class LogRepository {

    record Row(long id, LogEntry entry) {}

    private static final RowMapper<Row> ROW = (rs, n) -> new Row(rs.getLong("id"), new LogEntry(
            rs.getLong("created_at"), rs.getInt("type"), rs.getLong("user_id"), rs.getLong("token_id"),
            rs.getString("token_name"), rs.getString("model_name"), rs.getInt("prompt_tokens"),
            rs.getInt("completion_tokens"), rs.getLong("quota"), rs.getString("request_id"),
            rs.getBoolean("is_stream"), rs.getInt("use_time_ms"), rs.getLong("channel_id"), rs.getString("content"),
            rs.getBigDecimal("cost_usd"), rs.getString("other")));

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate tx;

    LogRepository(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.template = template;
        this.tx = tx;
    }

    /**
     * Inserts a batch of rows, adds their consumption to the counters of tokens, users and channels, and adds the
     * refunds back to the balances, in one transaction (so a row and its counters are either both there or both
     * not). One UPDATE per token and per user of the batch carries both its counters and its refunds.
     */
    void write(List<LogEntry> batch, List<BalanceRefund> refunds) {
        tx.executeWithoutResult(status -> {
            if (!batch.isEmpty()) {
                insert(batch);
            }
            addCounters(batch, refunds);
        });
    }

    private void insert(List<LogEntry> batch) {
        template.batchUpdate("""
                INSERT INTO logs (created_at, type, user_id, token_id, token_name, model_name, prompt_tokens,
                    completion_tokens, quota, request_id, is_stream, use_time_ms, channel_id, content, cost_usd,
                    other)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                batch, batch.size(), (ps, e) -> {
                    ps.setLong(1, e.createdAt());
                    ps.setInt(2, e.type());
                    ps.setLong(3, e.userId());
                    ps.setLong(4, e.tokenId());
                    ps.setString(5, e.tokenName());
                    ps.setString(6, e.modelName());
                    ps.setInt(7, e.promptTokens());
                    ps.setInt(8, e.completionTokens());
                    ps.setLong(9, e.quota());
                    ps.setString(10, e.requestId());
                    ps.setBoolean(11, e.stream());
                    ps.setInt(12, e.useTimeMs());
                    ps.setLong(13, e.channelId());
                    ps.setString(14, e.content());
                    ps.setBigDecimal(15, e.costUsd());
                    ps.setString(16, e.other());
                });
    }

    /** Per token, user or channel: consumption rows counted, their quota, the latest row's time, quota refunded. */
    private static final class Sum {
        long count;
        long quota;
        long lastAt;
        long refund;

        void add(LogEntry e) {
            count++;
            quota += e.quota();
            lastAt = Math.max(lastAt, e.createdAt());
        }
    }

    private void addCounters(List<LogEntry> batch, List<BalanceRefund> refunds) {
        // Sorted maps: every batch locks rows in id order, tokens before users (as reservations do).
        Map<Long, Sum> tokens = new TreeMap<>();
        Map<Long, Sum> users = new TreeMap<>();
        Map<Long, Sum> channels = new TreeMap<>();
        for (LogEntry e : batch) {
            if (e.type() != LogEntry.CONSUME) {
                continue;
            }
            if (e.tokenId() > 0) {
                tokens.computeIfAbsent(e.tokenId(), id -> new Sum()).add(e);
            }
            if (e.userId() > 0) {
                users.computeIfAbsent(e.userId(), id -> new Sum()).add(e);
            }
            if (e.channelId() > 0 && e.quota() != 0) {
                channels.computeIfAbsent(e.channelId(), id -> new Sum()).add(e);
            }
        }
        for (BalanceRefund r : refunds) {
            if (r.tokenId() > 0 && r.tokenQuota() > 0) {
                tokens.computeIfAbsent(r.tokenId(), id -> new Sum()).refund += r.tokenQuota();
            }
            if (r.userId() > 0 && r.userQuota() > 0) {
                users.computeIfAbsent(r.userId(), id -> new Sum()).refund += r.userQuota();
            }
        }
        tokens.forEach((id, s) -> jdbc.sql("""
                UPDATE tokens SET used_quota = used_quota + ?, request_count = request_count + ?,
                    accessed_time = CASE WHEN accessed_time < ? THEN ? ELSE accessed_time END,
                    remain_quota = remain_quota + ?
                WHERE id = ?""").params(s.quota, s.count, s.lastAt, s.lastAt, s.refund, id).update());
        users.forEach((id, s) -> jdbc.sql(
                "UPDATE users SET used_quota = used_quota + ?, request_count = request_count + ?, quota = quota + ?"
                        + " WHERE id = ?")
                .params(s.quota, s.count, s.refund, id).update());
        channels.forEach((id, s) -> jdbc.sql("UPDATE channels SET used_quota = used_quota + ? WHERE id = ?")
                .params(s.quota, id).update());
    }

    /** One consumption row's cost, for reconciliation with the credit platform. */
    record Cost(String requestId, long tokenId, java.math.BigDecimal costUsd, long createdAt) {}

    /** Consumption rows (type 2) of tokens that are not native, oldest first, in {@code [start, end]}. */
    List<Cost> costs(long start, long end, int offset, int limit) {
        return jdbc.sql("""
                SELECT l.request_id, l.token_id, l.cost_usd, l.created_at FROM logs l
                  JOIN tokens t ON t.id = l.token_id
                 WHERE l.type = 2 AND t.source <> 'native' AND l.created_at >= ? AND l.created_at <= ?
                 ORDER BY l.id LIMIT ? OFFSET ?""")
                .params(start, end, limit, offset)
                .query((rs, n) -> new Cost(rs.getString(1), rs.getLong(2), rs.getBigDecimal(3), rs.getLong(4))).list();
    }

    long countCosts(long start, long end) {
        return jdbc.sql("""
                SELECT COUNT(*) FROM logs l JOIN tokens t ON t.id = l.token_id
                 WHERE l.type = 2 AND t.source <> 'native' AND l.created_at >= ? AND l.created_at <= ?""")
                .params(start, end).query(Long.class).single();
    }

    /** Filters; null (or 0, blank) means any. {@code model} is the requested model name, exact. */
    record Query(Long tokenId, Integer type, Long start, Long end, String requestId, String model) {}

    /** Consumption (type 2) summed per UTC day and requested model: {@code day} is the day's first unix second. */
    record UsageRow(long day, String model, long requests, long quota, java.math.BigDecimal costUsd,
                    long promptTokens, long completionTokens) {}

    /** Consumption rows of {@code [start, end]} (unix seconds, inclusive), optionally of one token, oldest day first. */
    List<UsageRow> usage(long start, long end, Long tokenId) {
        String byToken = tokenId == null ? "" : " AND token_id = ?";
        List<Object> params = new ArrayList<>(List.of(start, end));
        if (tokenId != null) {
            params.add(tokenId);
        }
        return jdbc.sql("SELECT created_at - MOD(created_at, 86400) AS usage_day, model_name, COUNT(*) AS requests,"
                        + " SUM(quota) AS quota, SUM(cost_usd) AS cost_usd, SUM(prompt_tokens) AS prompt_tokens,"
                        + " SUM(completion_tokens) AS completion_tokens FROM logs"
                        + " WHERE type = 2 AND created_at >= ? AND created_at <= ?" + byToken
                        + " GROUP BY created_at - MOD(created_at, 86400), model_name ORDER BY usage_day, model_name")
                .params(params)
                .query((rs, n) -> new UsageRow(rs.getLong("usage_day"), rs.getString("model_name"), rs.getLong("requests"),
                        rs.getLong("quota"), rs.getBigDecimal("cost_usd"), rs.getLong("prompt_tokens"),
                        rs.getLong("completion_tokens")))
                .list();
    }

    List<Row> find(Query q, int offset, int limit) {
        List<Object> params = new ArrayList<>();
        String where = where(q, params);
        params.add(limit);
        params.add(offset);
        return jdbc.sql("SELECT * FROM logs" + where + " ORDER BY id DESC LIMIT ? OFFSET ?").params(params).query(ROW).list();
    }

    long count(Query q) {
        List<Object> params = new ArrayList<>();
        String where = where(q, params);
        return jdbc.sql("SELECT COUNT(*) FROM logs" + where).params(params).query(Long.class).single();
    }

    private static String where(Query q, List<Object> params) {
        StringJoiner w = new StringJoiner(" AND ", " WHERE ", "").setEmptyValue("");
        if (q.tokenId() != null) {
            w.add("token_id = ?");
            params.add(q.tokenId());
        }
        if (q.type() != null && q.type() != 0) {
            w.add("type = ?");
            params.add(q.type());
        }
        if (q.start() != null && q.start() > 0) {
            w.add("created_at >= ?");
            params.add(q.start());
        }
        if (q.end() != null && q.end() > 0) {
            w.add("created_at <= ?");
            params.add(q.end());
        }
        if (q.requestId() != null && !q.requestId().isBlank()) {
            w.add("request_id = ?");
            params.add(q.requestId());
        }
        if (q.model() != null && !q.model().isBlank()) {
            w.add("model_name = ?");
            params.add(q.model().trim());
        }
        return w.toString();
    }
}
