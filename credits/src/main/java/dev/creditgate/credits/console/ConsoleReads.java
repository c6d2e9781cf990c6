package dev.creditgate.credits.console;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.Money;

/**
 * What the console shows besides users, ledger and keys (which come from their services): holds, leases, the
 * webhook log, and usage per day. Read-only, newest first, bounded.
 */
@Component
class ConsoleReads {

    static final int MAX_ROWS = 100;

    private final Sql sql;
    private final Clock clock;

    ConsoleReads(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
    }

    /** A hold; {@code status} PENDING_EXPIRED for a pending hold whose TTL passed (not swept yet). */
    record HoldRow(String id, String userId, String keyId, String model, BigDecimal amount, String status,
                   BigDecimal captured, String outcome, String createdAt, String expiresAt) {
    }

    record LeaseRow(String id, String userId, String owner, BigDecimal amount, BigDecimal spent, String status,
                    String createdAt, String expiresAt) {
    }

    record WebhookRow(long id, String eventId, String receivedAt, String outcome, int httpStatus, String message,
                      String body) {
    }

    /** Holds, open ones first, then the most recent; of one user when {@code userId} is not null. */
    List<HoldRow> holds(String userId) {
        long now = clock.millis();
        var spec = sql.jdbc().sql("SELECT id, user_id, key_id, model, amount, status, captured_amount, outcome, created_at_ms,"
                        + " expires_at_ms FROM holds" + (userId == null ? "" : " WHERE user_id = :u")
                        + " ORDER BY CASE WHEN status = 'PENDING' THEN 0 ELSE 1 END, created_at_ms DESC, id LIMIT :n")
                .param("n", MAX_ROWS);
        if (userId != null) {
            spec = spec.param("u", userId);
        }
        return spec.query((rs, i) -> {
            long captured = rs.getLong(7);
            boolean noCapture = rs.wasNull();
            String status = rs.getString(6);
            long expires = rs.getLong(10);
            return new HoldRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    Money.toCredits(rs.getLong(5)),
                    status.equals("PENDING") && expires <= now ? "PENDING_EXPIRED" : status,
                    noCapture ? null : Money.toCredits(captured), rs.getString(8), time(rs.getLong(9)), time(expires));
        }).list();
    }

    /** Leases, ACTIVE ones first, then the most recent; of one user when {@code userId} is not null. */
    List<LeaseRow> leases(String userId) {
        var spec = sql.jdbc().sql("SELECT id, user_id, owner, amount, spent, status, created_at_ms, expires_at_ms FROM leases"
                        + (userId == null ? "" : " WHERE user_id = :u")
                        + " ORDER BY CASE WHEN status = 'ACTIVE' THEN 0 ELSE 1 END, created_at_ms DESC, id LIMIT :n")
                .param("n", MAX_ROWS);
        if (userId != null) {
            spec = spec.param("u", userId);
        }
        return spec.query((rs, i) -> new LeaseRow(rs.getString(1), rs.getString(2), rs.getString(3),
                Money.toCredits(rs.getLong(4)), Money.toCredits(rs.getLong(5)), rs.getString(6), time(rs.getLong(7)),
                time(rs.getLong(8)))).list();
    }

    /** The most recent webhook deliveries (bodies cut to 300 characters for the page). */
    List<WebhookRow> webhooks() {
        return sql.jdbc().sql("SELECT id, event_id, received_at_ms, outcome, http_status, message, body FROM webhook_log"
                        + " ORDER BY id DESC LIMIT :n").param("n", MAX_ROWS)
                .query((rs, i) -> {
                    String body = rs.getString(7);
                    return new WebhookRow(rs.getLong(1), rs.getString(2), time(rs.getLong(3)), rs.getString(4),
                            rs.getInt(5), rs.getString(6),
                            body == null ? null : body.length() > 300 ? body.substring(0, 300) + "..." : body);
                }).list();
    }

    /** Usage (DEDUCT, CAPTURE and LEASE_CHARGE entries) per UTC day over the last {@code days} days, oldest first. */
    UsageChart usage(String userId, int days) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        long fromMs = first.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        Map<LocalDate, Long> perDay = new LinkedHashMap<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            perDay.put(d, 0L);
        }
        sql.jdbc().sql("SELECT amount, created_at_ms FROM ledger_entries WHERE user_id = :u AND created_at_ms >= :from"
                        + " AND type IN ('DEDUCT', 'CAPTURE', 'LEASE_CHARGE')")
                .param("u", userId).param("from", fromMs)
                .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)}).list()
                .forEach(r -> perDay.computeIfPresent(LocalDate.ofInstant(Instant.ofEpochMilli(r[1]), ZoneOffset.UTC),
                        (d, sum) -> sum - r[0]));
        List<UsageChart.Day> out = new ArrayList<>();
        perDay.forEach((d, micros) -> out.add(new UsageChart.Day(d, micros)));
        return UsageChart.of(out);
    }

    static String time(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
