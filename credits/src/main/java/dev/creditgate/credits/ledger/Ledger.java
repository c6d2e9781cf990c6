package dev.creditgate.credits.ledger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

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

    /** Entry details; {@code leaseId}: the lease a LEASE_CHARGE was settled through. */
    public record Entry(String userId, EntryType type, long amount, String ref, String description, String keyId,
                        String holdId, String eventId, String leaseId) {

        public Entry(String userId, EntryType type, long amount, String ref, String description, String keyId,
                     String holdId, String eventId) {
            this(userId, type, amount, ref, description, keyId, holdId, eventId, null);
        }
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
        sql.insertRows("ledger_entries", COLUMNS, List.<Object[]>of(row(e, balance, clock.millis())), false);
        return new Posted(balance, held);
    }

    /**
     * Posts several entries of one user in one go, for a caller that holds the user's row lock (it read
     * {@code balanceBefore} under that lock, so each entry's balance after is computed here, in order): one
     * multi-row {@code INSERT} of the entries and one {@code UPDATE} of the user ({@code balance += sum},
     * {@code held -= releaseHeld}). The balance may go below zero (usage already served). Nothing is posted for no
     * entries.
     */
    public Posted postAll(String userId, long balanceBefore, long heldBefore, List<Entry> entries, long releaseHeld) {
        Posting p = prepareAll(userId, balanceBefore, heldBefore, entries, releaseHeld);
        sql.run(p.steps());
        return p.posted();
    }

    /** What {@link #postAll} would run (to be run by the caller with other statements), and what it leaves. */
    public record Posting(List<Sql.Step> steps, Posted posted) {
    }

    /** {@link #postAll}, without running it. */
    public Posting prepareAll(String userId, long balanceBefore, long heldBefore, List<Entry> entries, long releaseHeld) {
        if (entries.isEmpty() && releaseHeld == 0) {
            return new Posting(List.of(), new Posted(balanceBefore, heldBefore));
        }
        long now = clock.millis();
        long balance = balanceBefore;
        List<Object[]> rows = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (!e.userId().equals(userId)) {
                throw new IllegalArgumentException("entry of user " + e.userId() + " in a posting for " + userId);
            }
            balance = Math.addExact(balance, e.amount());
            rows.add(row(e, balance, now));
        }
        List<Sql.Step> steps = new ArrayList<>(2);
        if (!rows.isEmpty()) {
            steps.add(sql.insertStep("ledger_entries", COLUMNS, rows, false));
        }
        steps.add(Sql.Step.update("UPDATE users SET balance = balance + ?, held = held - ? WHERE id = ?",
                List.of(balance - balanceBefore, releaseHeld, userId)));
        return new Posting(steps, new Posted(balance, heldBefore - releaseHeld));
    }

    private static final String COLUMNS = "(user_id, type, amount, balance_after, ref, description, key_id, hold_id, "
            + "event_id, lease_id, created_at_ms)";

    private static Object[] row(Entry e, long balanceAfter, long now) {
        return new Object[] {e.userId(), e.type().name(), e.amount(), balanceAfter, Sql.text(e.ref()),
                Sql.text(e.description()), Sql.text(e.keyId()), Sql.text(e.holdId()), Sql.text(e.eventId()),
                Sql.text(e.leaseId()), now};
    }
}
