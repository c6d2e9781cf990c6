package dev.creditgate.credits.ledger;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.creditgate.credits.db.Sql;

/**
 * The append-only ledger. Every change of a user's posted balance goes through {@link #post} inside the caller's
 * transaction: the balance update (which row-locks the user) and the entry carrying the balance after it are
 * written together, so the sum of a user's entries always equals {@code users.balance}.
 */
@Component
public class Ledger {

    private final Sql sql;
    private final Clock clock;

    public Ledger(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
    }

    /** What a posting left behind. */
    public record Posted(long balanceAfter, long heldAfter) {
    }

    /** Entry details. */
    public record Entry(String userId, EntryType type, long amount, String ref, String description, String keyId,
                        String holdId, String eventId) {
    }

    /**
     * Posts an entry: {@code balance += amount}, {@code held -= releaseHeld}. When {@code mustStayCovered} the
     * update only happens if the available credit stays non-negative ({@code balance - held + amount >= 0});
     * then null is returned when it would not.
     */
    public Posted post(Entry e, long releaseHeld, boolean mustStayCovered) {
        String where = mustStayCovered ? " AND balance - held + :amt - :rel >= 0" : "";
        long balance;
        long held;
        if (sql.dialect().updateReturning()) {
            var row = sql.jdbc().sql("UPDATE users SET balance = balance + :amt, held = held - :rel WHERE id = :id"
                            + where + " RETURNING balance, held")
                    .param("amt", e.amount()).param("rel", releaseHeld).param("id", e.userId())
                    .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).optional();
            if (row.isEmpty()) {
                return null;
            }
            balance = row.get()[0];
            held = row.get()[1];
        } else {
            int n = sql.jdbc().sql("UPDATE users SET balance = balance + :amt, held = held - :rel WHERE id = :id" + where)
                    .param("amt", e.amount()).param("rel", releaseHeld).param("id", e.userId()).update();
            if (n == 0) {
                return null;
            }
            long[] row = sql.jdbc().sql("SELECT balance, held FROM users WHERE id = :id").param("id", e.userId())
                    .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
            balance = row[0];
            held = row[1];
        }
        Map<String, Object> p = new HashMap<>();
        p.put("user", e.userId());
        p.put("type", e.type().name());
        p.put("amount", e.amount());
        p.put("after", balance);
        p.put("ref", e.ref());
        p.put("desc", e.description());
        p.put("key", e.keyId());
        p.put("hold", e.holdId());
        p.put("event", e.eventId());
        p.put("t", clock.millis());
        sql.jdbc().sql("""
                        INSERT INTO ledger_entries (user_id, type, amount, balance_after, ref, description, key_id, hold_id, event_id, created_at_ms)
                        VALUES (:user, :type, :amount, :after, :ref, :desc, :key, :hold, :event, :t)""")
                .params(p).update();
        return new Posted(balance, held);
    }
}
