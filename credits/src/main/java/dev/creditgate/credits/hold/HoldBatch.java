package dev.creditgate.credits.hold;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.creditgate.contract.HoldOutcome;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.Accounts;
import dev.creditgate.credits.ledger.EntryType;
import dev.creditgate.credits.ledger.Ledger;

/**
 * The grants, captures and releases of one user that met in one group commit ({@link HoldBatcher}), run as a few
 * multi-row statements whatever their number, instead of two to four statements each:
 *
 * <ol>
 *   <li>{@code SELECT .. FROM holds WHERE id IN (..) FOR UPDATE}: the holds the captures and releases settle
 *       (hold rows before the user's row, the order {@link HoldExpiry} locks them in);</li>
 *   <li>{@code SELECT .. FROM users WHERE id = :u FOR UPDATE} ({@link Accounts#lock}): the user's balance and held
 *       credit, which stay true until the commit;</li>
 *   <li>every unit is decided in its queue order against those numbers, exactly as the conditional statements
 *       would have decided it one after the other: a grant fits when {@code balance - held >= amount} at its turn,
 *       a capture or release wins when its hold is PENDING (or EXPIRED, for a late capture);</li>
 *   <li>{@code INSERT} (ignore) of the winning captures' {@code processed_events}, {@code INSERT} (ignore) of the
 *       granted holds, one {@code UPDATE holds} for every settled hold, and {@link Ledger#postAll}: one
 *       {@code INSERT} of the capture entries and one {@code UPDATE users} for the sum.</li>
 * </ol>
 * Each unit's answer (available credit, the hold after) comes from those numbers, so nothing is read again after
 * the commit. Zero overdraft and exactly-once hold as before: the user's row is locked before anything is
 * decided, {@code request_id} and {@code event_id} stay unique keys, and an insert-ignore that skipped a row of a
 * batch of several units (a concurrent duplicate: it cannot say which one) throws, so that {@link HoldBatcher}
 * runs each unit alone, where its row count answers exactly. So do two units settling the same hold.
 */
final class HoldBatch implements HoldBatcher.Together<HoldBatch.Op, Object> {

    /** A unit of the hold path. */
    sealed interface Op permits Grant, Capture, Release {
    }

    /** A new hold: its row, as it is inserted when it fits. */
    record Grant(Hold hold) implements Op {
    }

    /** @param eventId never null (a capture without one uses {@code hold:<id>}) */
    record Capture(String holdId, long cost, String eventId, String model) implements Op {
    }

    record Release(String holdId) implements Op {
    }

    /** A grant's answer when its key or user has the most pending holds allowed. */
    static final Object TOO_MANY_HOLDS = new Object() {
        @Override
        public String toString() {
            return "TOO_MANY_HOLDS";
        }
    };

    /** A grant's answer when it does not fit (a granted one answers {@link HoldService.Granted}). */
    static final Object REFUSED = new Object() {
        @Override
        public String toString() {
            return "REFUSED";
        }
    };

    /** A capture's or release's answer; {@code expired}: whether it expired a hold whose TTL had passed. */
    record Settled(HoldService.OutcomeResult result, boolean expired) {
    }

    /** Thrown when a batch of several units cannot give each its own outcome: they are run alone instead. */
    static final class RunAlone extends RuntimeException {
        RunAlone(String why) {
            super(why, null, false, false);
        }
    }

    private static final String EVENT_COLUMNS = "(event_id, source, user_id, amount, created_at_ms)";
    private static final String HOLD_COLUMNS = "(id, request_id, key_id, user_id, amount, model, status, created_at_ms, "
            + "expires_at_ms)";

    private final Sql sql;
    private final Accounts accounts;
    private final Ledger ledger;
    private final Clock clock;
    private final boolean honourLateCapture;
    private final int maxOpenPerKey;
    private final int maxOpenPerUser;

    /** @param maxOpenPerKey, maxOpenPerUser most pending holds of a key, of a user; 0 = no limit */
    HoldBatch(Sql sql, Accounts accounts, Ledger ledger, Clock clock, boolean honourLateCapture, int maxOpenPerKey,
              int maxOpenPerUser) {
        this.sql = sql;
        this.accounts = accounts;
        this.ledger = ledger;
        this.clock = clock;
        this.honourLateCapture = honourLateCapture;
        this.maxOpenPerKey = maxOpenPerKey;
        this.maxOpenPerUser = maxOpenPerUser;
    }

    /** What a settling unit does to its hold (decided from the locked row). */
    private record Change(Hold before, Hold after, HoldOutcome outcome, boolean success, long releaseHeld,
                          boolean charges) {
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Object> runAll(String userId, List<Op> ops, boolean last) {
        long now = clock.millis();
        // several units: every write in one go, checked after it (a surprise runs them alone); one unit: exactly
        boolean together = ops.size() > 1;

        // the settled holds' rows, then the user's row, locked (one round trip on PostgreSQL)
        List<String> ids = settledIds(ops);
        List<Sql.Step> reads = new ArrayList<>(2);
        if (!ids.isEmpty()) {
            reads.add(Sql.Step.query("SELECT " + Hold.COLUMNS + " FROM holds WHERE id IN (" + marks(ids.size())
                    + ") FOR UPDATE", List.copyOf(ids), Hold::map));
        }
        reads.add(accounts.lockStep(userId, now));
        int userStep = reads.size() - 1;
        boolean countOpen = (maxOpenPerKey > 0 || maxOpenPerUser > 0) && ops.stream().anyMatch(Grant.class::isInstance);
        if (countOpen) { // after the user's row is locked: exact for every instance, no round trip of its own
            reads.add(Sql.Step.query("SELECT key_id, COUNT(*) FROM holds WHERE user_id = ? AND status = 'PENDING'"
                    + " AND expires_at_ms > ? GROUP BY key_id", List.of(userId, now),
                    (rs, n) -> Map.entry(rs.getString(1), rs.getLong(2))));
        }
        List<Object> read = sql.run(reads);
        Map<String, Hold> rows = new HashMap<>();
        if (!ids.isEmpty()) {
            ((List<Hold>) read.getFirst()).forEach(h -> rows.put(h.id(), h));
        }
        Map<String, Long> openByKey = new HashMap<>();
        long openOfUser = 0;
        if (countOpen) {
            for (Map.Entry<String, Long> e : (List<Map.Entry<String, Long>>) read.getLast()) {
                openByKey.put(e.getKey(), e.getValue());
                openOfUser += e.getValue();
            }
        }
        List<Accounts.Row> userRow = (List<Accounts.Row>) read.get(userStep);
        if (userRow.isEmpty()) {
            throw new IllegalStateException("no user " + userId);
        }
        Accounts.Row user = userRow.getFirst();

        // the settlements, each against its locked row; the captures that charge, with their events
        Change[] changes = new Change[ops.size()];
        Map<String, Integer> charging = new LinkedHashMap<>(); // eventId -> the capture that charges it
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op instanceof Grant) {
                continue;
            }
            String holdId = op instanceof Capture c ? c.holdId() : ((Release) op).holdId();
            Hold h = rows.get(holdId);
            if (h == null || !h.userId().equals(userId)) {
                throw new IllegalStateException("hold " + holdId + " is not a hold of user " + userId);
            }
            changes[i] = op instanceof Capture c ? capture(h, c, now) : release(h, now);
            if (changes[i].charges() && charging.putIfAbsent(asCapture(op).eventId(), i) != null) {
                changes[i] = duplicate(changes[i], asCapture(op)); // charged by an earlier capture of this batch
            }
        }
        List<Sql.Step> writes = new ArrayList<>();
        if (!charging.isEmpty()) {
            List<Object[]> events = new ArrayList<>(charging.size());
            for (int i : charging.values()) {
                Capture c = asCapture(ops.get(i));
                events.add(new Object[] {c.eventId(), "CAPTURE", userId, c.cost(), now});
            }
            if (together) { // all new, or the batch is run alone
                writes.add(sql.insertStep("processed_events", EVENT_COLUMNS, events, true).expecting(events.size()));
            } else if (sql.insertRows("processed_events", EVENT_COLUMNS, events, true) == 0) {
                changes[0] = duplicate(changes[0], asCapture(ops.getFirst())); // charged by a webhook or a capture
            }
        }

        // the money, unit after unit in queue order
        long balance = user.balance();
        long held = user.held();
        long expired = user.expired();
        Object[] results = new Object[ops.size()];
        List<Hold> granted = new ArrayList<>();
        Map<String, Object> grantedRequests = new HashMap<>(); // requestId -> the first answer in this batch
        Map<String, Hold> settled = new LinkedHashMap<>();
        List<Ledger.Entry> entries = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof Grant g) {
                Hold hold = g.hold();
                Object first = grantedRequests.get(hold.requestId());
                if (first != null) {
                    // the same requestId: its answer again
                    results[i] = first == REFUSED || first == TOO_MANY_HOLDS ? first : null;
                } else if ((maxOpenPerKey > 0 && openByKey.getOrDefault(hold.keyId(), 0L) >= maxOpenPerKey)
                        || (maxOpenPerUser > 0 && openOfUser >= maxOpenPerUser)) {
                    results[i] = TOO_MANY_HOLDS;
                } else if (balance - held >= hold.amount()) {
                    held = Math.addExact(held, hold.amount());
                    openByKey.merge(hold.keyId(), 1L, Long::sum);
                    openOfUser++;
                    granted.add(hold);
                    results[i] = new HoldService.Granted(hold, balance - held, false);
                } else {
                    results[i] = REFUSED;
                }
                grantedRequests.putIfAbsent(hold.requestId(), results[i]);
                continue;
            }
            Change ch = changes[i];
            if (ch.after() != ch.before()) {
                held -= ch.releaseHeld();
                if (Hold.PENDING.equals(ch.before().status()) && ch.before().expiresAtMs() <= now) {
                    expired -= ch.before().amount(); // counted as expired until now; settled now
                }
                settled.put(ch.before().id(), ch.after());
            }
            if (ch.charges()) {
                Capture c = asCapture(ops.get(i));
                balance = Math.subtractExact(balance, c.cost());
                Hold h = ch.before();
                entries.add(new Ledger.Entry(userId, EntryType.CAPTURE, -c.cost(), "capture:" + h.id(),
                        c.model() != null ? c.model() : h.model(), h.keyId(), h.id(), c.eventId()));
            }
        }

        if (!granted.isEmpty()) {
            List<Object[]> values = new ArrayList<>(granted.size());
            for (Hold h : granted) {
                values.add(new Object[] {h.id(), h.requestId(), h.keyId(), h.userId(), h.amount(), Sql.text(h.model()),
                        Hold.PENDING, h.createdAtMs(), h.expiresAtMs()});
            }
            if (together) { // all new, or the batch is run alone
                writes.add(sql.insertStep("holds", HOLD_COLUMNS, values, true).expecting(values.size()));
            } else if (sql.insertRows("holds", HOLD_COLUMNS, values, true) == 0) {
                held -= granted.getFirst().amount(); // the same requestId won a race: its hold is answered instead
                results[0] = null;
            }
        }
        if (!settled.isEmpty()) {
            writes.add(updateHolds(settled, now).expecting(settled.size())); // their rows are locked: each one
        }
        writes.addAll(ledger.prepareAll(userId, user.balance(), user.held(), entries, user.held() - held).steps());
        if (!writes.isEmpty()) {
            sql.run(writes, last); // the checks fail the transaction: a surprise runs the units alone
        }

        long available = balance - (held - expired);
        long debt = balance < 0 ? -balance : 0;
        List<Object> out = new ArrayList<>(results.length);
        for (int i = 0; i < ops.size(); i++) {
            Change ch = changes[i];
            if (ch != null) {
                Hold after = ch.after();
                results[i] = new Settled(new HoldService.OutcomeResult(ch.outcome(), ch.success(), after,
                        after.capturedAmount(), available, debt), ch.outcome() == HoldOutcome.EXPIRED && after != ch.before());
            }
            out.add(results[i]);
        }
        return out;
    }

    private static Capture asCapture(Op op) {
        return (Capture) op;
    }

    /** The holds that the settlements name; two settlements of one hold are run alone. */
    private static List<String> settledIds(List<Op> ops) {
        Set<String> ids = new LinkedHashSet<>();
        for (Op op : ops) {
            String id = op instanceof Capture c ? c.holdId() : op instanceof Release r ? r.holdId() : null;
            if (id != null && !ids.add(id)) {
                throw new RunAlone("two settlements of hold " + id + " in one batch");
            }
        }
        return new ArrayList<>(ids);
    }

    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** A capture against its hold's row: charges, expires the hold (late captures refused), or answers its state. */
    private Change capture(Hold h, Capture c, long now) {
        boolean due = h.expiresAtMs() <= now;
        boolean pending = Hold.PENDING.equals(h.status());
        if ((pending && (!due || honourLateCapture)) || (Hold.EXPIRED.equals(h.status()) && honourLateCapture)) {
            // an expired hold no longer holds anything: a plain debit
            HoldOutcome outcome = pending && !due ? HoldOutcome.CAPTURED : HoldOutcome.CAPTURED_AFTER_EXPIRY;
            return new Change(h, h.finished(Hold.CAPTURED, c.cost(), c.eventId(), outcome.name()), outcome, true,
                    pending ? h.amount() : 0, true);
        }
        if (pending) { // due, and late captures are refused: it expires now
            return new Change(h, h.finished(Hold.EXPIRED, null, null, HoldOutcome.EXPIRED.name()), HoldOutcome.EXPIRED,
                    false, h.amount(), false);
        }
        String event = c.eventId();
        return switch (h.status()) {
            case Hold.CAPTURED -> event.equals(h.eventId())
                    ? unchanged(h, HoldOutcome.valueOf(h.outcome()), true)
                    : unchanged(h, HoldOutcome.ALREADY_CAPTURED, false);
            case Hold.RELEASED -> HoldOutcome.DUPLICATE_EVENT.name().equals(h.outcome()) && event.equals(h.eventId())
                    ? unchanged(h, HoldOutcome.DUPLICATE_EVENT, true)
                    : unchanged(h, HoldOutcome.RELEASED, false);
            default -> unchanged(h, HoldOutcome.EXPIRED, false);
        };
    }

    /** A winning capture whose eventId was charged already: the hold is voided, nothing debited. */
    private static Change duplicate(Change win, Capture c) {
        return new Change(win.before(), win.before().finished(Hold.RELEASED, 0L, c.eventId(),
                HoldOutcome.DUPLICATE_EVENT.name()), HoldOutcome.DUPLICATE_EVENT, true, win.releaseHeld(), false);
    }

    /** A release against its hold's row: releases it, expires it (TTL passed), or answers its state. */
    private static Change release(Hold h, long now) {
        if (Hold.PENDING.equals(h.status())) {
            boolean due = h.expiresAtMs() <= now;
            HoldOutcome outcome = due ? HoldOutcome.EXPIRED : HoldOutcome.RELEASED;
            return new Change(h, h.finished(due ? Hold.EXPIRED : Hold.RELEASED, null, null, outcome.name()), outcome,
                    true, h.amount(), false);
        }
        return switch (h.status()) {
            case Hold.RELEASED -> unchanged(h, HoldOutcome.DUPLICATE_EVENT.name().equals(h.outcome())
                    ? HoldOutcome.DUPLICATE_EVENT : HoldOutcome.RELEASED, true);
            case Hold.EXPIRED -> unchanged(h, HoldOutcome.EXPIRED, true);
            default -> unchanged(h, HoldOutcome.ALREADY_CAPTURED, false);
        };
    }

    private static Change unchanged(Hold h, HoldOutcome outcome, boolean success) {
        return new Change(h, h, outcome, success, 0, false);
    }

    /**
     * One {@code UPDATE holds SET status = CASE id WHEN .. END, ..} for every settled hold (their rows are locked:
     * each is updated).
     */
    private static Sql.Step updateHolds(Map<String, Hold> settled, long now) {
        StringBuilder q = new StringBuilder(128 + settled.size() * 96).append("UPDATE holds SET ");
        List<Object> params = new ArrayList<>(settled.size() * 9 + 1);
        column(q, params, settled, "status", Hold::status, false);
        column(q, params, settled, "outcome", Hold::outcome, false);
        column(q, params, settled, "captured_amount", Hold::capturedAmount, true);
        column(q, params, settled, "event_id", Hold::eventId, true);
        q.append("finalized_at_ms = ? WHERE id IN (").append(marks(settled.size())).append(')');
        params.add(now);
        params.addAll(settled.keySet());
        return Sql.Step.update(q.toString(), params);
    }

    /**
     * {@code name = CASE id WHEN ? THEN ? .. [ELSE name] END, }; with {@code keepNull}, rows whose value is null keep
     * theirs (and the column is left out when every one is null).
     */
    private static void column(StringBuilder q, List<Object> params, Map<String, Hold> settled, String name,
                               java.util.function.Function<Hold, Object> value, boolean keepNull) {
        if (keepNull && settled.values().stream().allMatch(h -> value.apply(h) == null)) {
            return;
        }
        q.append(name).append(" = CASE id");
        for (Map.Entry<String, Hold> e : settled.entrySet()) {
            Object v = value.apply(e.getValue());
            if (v != null || !keepNull) {
                q.append(" WHEN ? THEN ?");
                params.add(e.getKey());
                params.add(v);
            }
        }
        q.append(keepNull ? " ELSE " + name + " END, " : " END, ");
    }
}
