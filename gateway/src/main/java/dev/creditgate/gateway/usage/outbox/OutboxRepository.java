package dev.creditgate.gateway.usage.outbox;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of the outbox. Portable (H2, PostgreSQL, MySQL/MariaDB): the guarantees rest on conditional UPDATEs:
 * <ul>
 *   <li>settle and recovery both move a row out of INTENT with {@code WHERE status = 'INTENT'}: exactly one wins;</li>
 *   <li>a claim takes a row only while its lease has run out ({@code claimed_until < :now}), so several instances
 *       on one database never work on one row at the same time (unless a lease runs out mid-delivery, which the
 *       platform's event-id idempotency absorbs).</li>
 * </ul>
 */
@Repository
class OutboxRepository {

    private static final String COLUMNS = "id, event_id, kind, status, token_id, remote_key_id, hold_id, payload,"
            + " attempts, next_attempt_at, last_error, created_at, updated_at";

    private final JdbcClient jdbc;
    private final boolean idArrays;

    /**
     * On H2, lists of ids go as one array parameter ({@code id = ANY(:ids)}), so that a statement's text does not
     * change with the number of ids. H2 keeps the compiled statements of a session in a small cache keyed by their
     * text: one text per list length filled it with variants of these statements, pushing out the request path's
     * (parsed again), and H2 walks every cached query's expression (a 500-id list included) whenever a transaction
     * first changes a table. Elsewhere {@code id IN (:ids)}, one placeholder per id.
     */
    OutboxRepository(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.idArrays = isH2(dataSource);
    }

    private static boolean isH2(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return "H2".equals(c.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            return false;
        }
    }

    /** {@code id = ANY(:ids)} on H2, else {@code id IN (:ids)} (see the constructor); and the parameter's value. */
    private String idsIn() {
        return idArrays ? "id = ANY(:ids)" : "id IN (:ids)";
    }

    private Object ids(List<Long> ids) {
        return idArrays ? ids.toArray(Long[]::new) : ids;
    }

    /**
     * @param claimedBy    the instance whose row it is until {@code claimedUntil} (LEASE rows: the lease's instance
     *                     delivers them while it lives), or null
     */
    void insertIntent(String eventId, OutboxKind kind, long tokenId, String remoteKeyId, String holdId,
                      String payload, long dueAt, long now, String claimedBy, long claimedUntil) {
        jdbc.sql("""
                INSERT INTO usage_events (event_id, kind, status, token_id, remote_key_id, hold_id, payload, attempts,
                                          next_attempt_at, claimed_by, claimed_until, created_at, updated_at)
                VALUES (:eventId, :kind, 'INTENT', :tokenId, :remoteKeyId, :holdId, :payload, 0, :due, :by, :until,
                        :now, :now)""")
                .param("eventId", eventId).param("kind", kind.name()).param("tokenId", tokenId)
                .param("remoteKeyId", remoteKeyId).param("holdId", holdId).param("payload", payload)
                .param("due", dueAt).param("by", claimedBy).param("until", claimedUntil).param("now", now)
                .update();
    }

    /** One {@link #insertIntent} call's arguments, for {@link #insertIntents}. */
    record Intent(String eventId, OutboxKind kind, long tokenId, String remoteKeyId, String holdId, String payload,
                  long dueAt, long now, String claimedBy, long claimedUntil) {}

    /** Inserts several intents in the caller's transaction, one statement each (any failure fails them all). */
    void insertIntents(List<Intent> intents) {
        for (Intent i : intents) {
            insertIntent(i.eventId(), i.kind(), i.tokenId(), i.remoteKeyId(), i.holdId(), i.payload(), i.dueAt(),
                    i.now(), i.claimedBy(), i.claimedUntil());
        }
    }

    /** One {@link #settle} call's arguments, for {@link #settleAll}. */
    record Settle(String eventId, OutboxKind kind, String payload, long now, String claimedBy, long claimedUntil) {}

    /**
     * Settles several intents in the caller's transaction, in event id order (two batches never wait on each other's
     * rows in opposite orders); one answer per item, in the given order, as {@link #settle}.
     */
    List<Boolean> settleAll(List<Settle> settles) {
        Boolean[] won = new Boolean[settles.size()];
        Integer[] order = new Integer[settles.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparing(i -> settles.get(i).eventId()));
        for (int i : order) {
            Settle s = settles.get(i);
            won[i] = settle(s.eventId(), s.kind(), s.payload(), s.now(), s.claimedBy(), s.claimedUntil());
        }
        return java.util.Arrays.asList(won);
    }

    /**
     * INTENT -> PENDING with the final kind and payload; false when recovery (or another settle) came first. A row
     * with a {@code claimedBy} stays that instance's until {@code claimedUntil}.
     */
    boolean settle(String eventId, OutboxKind kind, String payload, long now, String claimedBy, long claimedUntil) {
        return jdbc.sql("""
                UPDATE usage_events SET status = 'PENDING', kind = :kind, payload = :payload, next_attempt_at = :now,
                       claimed_by = :by, claimed_until = :until, updated_at = :now
                 WHERE event_id = :eventId AND status = 'INTENT'""")
                .param("kind", kind.name()).param("payload", payload).param("now", now).param("by", claimedBy)
                .param("until", claimedUntil).param("eventId", eventId)
                .update() == 1;
    }

    /** Moves an INTENT row's recovery deadline (a request still running); false when it is no longer an intent. */
    boolean postponeIntent(String eventId, long dueAt, long now) {
        return jdbc.sql("""
                UPDATE usage_events SET next_attempt_at = :due, updated_at = :now
                 WHERE event_id = :eventId AND status = 'INTENT'""")
                .param("due", dueAt).param("now", now).param("eventId", eventId).update() == 1;
    }

    /** Deletes an INTENT row that owes nothing (no hold, nothing charged). */
    boolean discard(String eventId) {
        return jdbc.sql("DELETE FROM usage_events WHERE event_id = :eventId AND status = 'INTENT'")
                .param("eventId", eventId).update() == 1;
    }

    /** Recovery: every INTENT row whose due time passed becomes PENDING at its estimate. */
    int recoverIntents(long now) {
        return jdbc.sql("""
                UPDATE usage_events SET status = 'PENDING', next_attempt_at = :now, updated_at = :now,
                       last_error = 'recovered: no settlement within the intent timeout; charging the estimate'
                 WHERE status = 'INTENT' AND next_attempt_at <= :now""")
                .param("now", now).update();
    }

    /**
     * Ids of due PENDING rows whose claim ran out or that are {@code owner}'s own (a candidate list;
     * {@link #claimAll} decides). Ordered like the index {@code (status, next_attempt_at)} (status is one value
     * here) so that H2 reads the first {@code limit} entries of the index and stops: ordered by
     * {@code next_attempt_at} alone it read and sorted every due row, which made a backlog slower to work off the
     * longer it grew.
     */
    List<Due> dueIds(long now, int limit, String owner) {
        return jdbc.sql("""
                SELECT id, claimed_by, claimed_until FROM usage_events
                 WHERE status = 'PENDING' AND next_attempt_at <= :now AND (claimed_until < :now OR claimed_by = :owner)
                 ORDER BY status, next_attempt_at LIMIT :limit""")
                .param("now", now).param("limit", limit).param("owner", owner)
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), rs.getLong(3))).list();
    }

    /** A due row: its id and who holds its claim until when. */
    record Due(long id, String claimedBy, long claimedUntil) {}

    /**
     * Claims the given rows for {@code owner} until {@code leaseUntil} in one statement and answers the ones this
     * instance got (a row another instance claimed meanwhile is left out). Rows that are already {@code owner}'s
     * until {@code keepUntil} or later (LEASE rows: their instance's from the settlement on) are not written again.
     */
    List<OutboxEvent> claimAll(List<Due> due, String owner, long now, long leaseUntil, long keepUntil) {
        if (due.isEmpty()) {
            return List.of();
        }
        List<Long> ids = due.stream().map(Due::id).toList();
        List<Long> toClaim = due.stream()
                .filter(d -> !owner.equals(d.claimedBy()) || d.claimedUntil() < keepUntil).map(Due::id).toList();
        if (!toClaim.isEmpty()) {
            jdbc.sql("""
                    UPDATE usage_events SET claimed_by = :owner, claimed_until = :lease, updated_at = :now
                     WHERE %s AND status = 'PENDING' AND (claimed_until < :now OR claimed_by = :owner)""".formatted(idsIn()))
                    .param("owner", owner).param("lease", leaseUntil).param("now", now).param("ids", ids(toClaim))
                    .update();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM usage_events WHERE " + idsIn() + " AND status = 'PENDING'"
                        + " AND claimed_by = :owner AND (claimed_until = :lease OR claimed_until >= :keep) ORDER BY id")
                .param("ids", ids(ids)).param("owner", owner).param("lease", leaseUntil).param("keep", keepUntil)
                .query(OutboxRepository::map).list();
    }

    /** {@link #markDelivered} for many rows in one statement. */
    void markAllDelivered(List<Long> ids, String owner, String note, long now) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.sql("""
                UPDATE usage_events SET status = 'DELIVERED', attempts = attempts + 1, last_error = :note,
                       claimed_until = 0, updated_at = :now
                 WHERE %s AND status = 'PENDING' AND claimed_by = :owner""".formatted(idsIn()))
                .param("note", truncate(note)).param("now", now).param("ids", ids(ids)).param("owner", owner).update();
    }

    OutboxEvent find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM usage_events WHERE id = :id").param("id", id)
                .query(OutboxRepository::map).optional().orElse(null);
    }

    void markDelivered(long id, String owner, String note, long now) {
        jdbc.sql("""
                UPDATE usage_events SET status = 'DELIVERED', attempts = attempts + 1, last_error = :note,
                       claimed_until = 0, updated_at = :now
                 WHERE id = :id AND status = 'PENDING' AND claimed_by = :owner""")
                .param("note", truncate(note)).param("now", now).param("id", id).param("owner", owner).update();
    }

    /** After a failed attempt: back to PENDING at {@code nextAt}, or FAILED when {@code failed}. */
    void markFailed(long id, String owner, String error, int attempts, boolean failed, long nextAt, long now) {
        jdbc.sql("""
                UPDATE usage_events SET status = :status, attempts = :attempts, last_error = :error,
                       next_attempt_at = :next, claimed_until = 0, updated_at = :now
                 WHERE id = :id AND status = 'PENDING' AND claimed_by = :owner""")
                .param("status", failed ? "FAILED" : "PENDING").param("attempts", attempts)
                .param("error", truncate(error)).param("next", nextAt).param("now", now).param("id", id)
                .param("owner", owner).update();
    }

    void convert(long id, String owner, OutboxKind kind, String reason, long now) {
        jdbc.sql("""
                UPDATE usage_events SET kind = :kind, last_error = :reason, next_attempt_at = :now, claimed_until = 0,
                       updated_at = :now
                 WHERE id = :id AND status = 'PENDING' AND claimed_by = :owner""")
                .param("kind", kind.name()).param("reason", truncate(reason)).param("now", now).param("id", id)
                .param("owner", owner).update();
    }

    /** FAILED (or PENDING) -> PENDING now, attempts reset; false when the row is in another state. */
    boolean replay(long id, long now) {
        return jdbc.sql("""
                UPDATE usage_events SET status = 'PENDING', attempts = 0, next_attempt_at = :now, claimed_until = 0,
                       updated_at = :now
                 WHERE id = :id AND status IN ('FAILED', 'PENDING')""")
                .param("now", now).param("id", id).update() == 1;
    }

    List<OutboxEvent> list(OutboxStatus status, int offset, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM usage_events"
                        + (status == null ? "" : " WHERE status = :status")
                        + " ORDER BY id DESC LIMIT :limit OFFSET :offset")
                .params(status == null ? Map.of("limit", limit, "offset", offset)
                        : Map.of("status", status.name(), "limit", limit, "offset", offset))
                .query(OutboxRepository::map).list();
    }

    long count(OutboxStatus status) {
        return jdbc.sql("SELECT COUNT(*) FROM usage_events" + (status == null ? "" : " WHERE status = :status"))
                .params(status == null ? Map.of() : Map.of("status", status.name()))
                .query(Long.class).single();
    }

    Map<OutboxStatus, Long> backlog() {
        Map<OutboxStatus, Long> out = new EnumMap<>(OutboxStatus.class);
        for (OutboxStatus s : OutboxStatus.values()) {
            out.put(s, 0L);
        }
        jdbc.sql("SELECT status, COUNT(*) AS n FROM usage_events WHERE status <> 'DELIVERED' GROUP BY status")
                .query((rs, i) -> Map.entry(rs.getString("status"), rs.getLong("n"))).list()
                .forEach(e -> out.put(OutboxStatus.valueOf(e.getKey()), e.getValue()));
        return out;
    }

    int deleteDelivered(long before) {
        return jdbc.sql("DELETE FROM usage_events WHERE status = 'DELIVERED' AND updated_at < :before")
                .param("before", before).update();
    }

    private static OutboxEvent map(ResultSet rs, int row) throws SQLException {
        return new OutboxEvent(rs.getLong("id"), rs.getString("event_id"), OutboxKind.valueOf(rs.getString("kind")),
                OutboxStatus.valueOf(rs.getString("status")), rs.getLong("token_id"), rs.getString("remote_key_id"),
                rs.getString("hold_id"), UsagePayload.fromJson(rs.getString("payload")), rs.getInt("attempts"),
                rs.getLong("next_attempt_at"), rs.getString("last_error"), rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 997) + "...";
    }
}
