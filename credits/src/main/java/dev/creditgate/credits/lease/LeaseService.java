package dev.creditgate.credits.lease;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.apikey.KeyLookup;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.hold.HoldExpiry;
import dev.creditgate.credits.ledger.Accounts;
import dev.creditgate.credits.ledger.EntryType;
import dev.creditgate.credits.ledger.Ledger;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.metrics.CreditMetrics;
import dev.creditgate.credits.option.OptionService;
import dev.creditgate.credits.web.ApiError;

/**
 * Credit leases (SPEC 4.4): one hold of a user's credit for one gateway instance (its {@code owner}), which that
 * instance spends locally and settles in batches, so that the platform is called per batch instead of per request.
 * An ACTIVE lease's {@code amount} (what it holds unspent) is counted in {@code users.held} exactly like a PENDING
 * hold's, so leases and holds share one guarantee: nothing granted makes {@code balance - held} negative.
 *
 * <p>Every change of a lease runs in one transaction that first locks the user's row ({@code SELECT .. FOR
 * UPDATE}), then reads the lease again: the user's balance, held credit and recall state and the lease are one
 * consistent snapshot, and all lease paths (open, refresh, settle, release, expiry) are serialised per user, across
 * threads and across instances sharing the database. Lock order everywhere: user row, lease row, processed events,
 * ledger entries.
 *
 * <p>Sizing ({@code free} = {@code balance - held} under the lock; the lease itself is part of {@code held}):
 * see {@link #resize}. Settling charges each event once by its eventId ({@code processed_events}, shared with
 * captures and usage webhooks) as its own ledger entry ({@code LEASE_CHARGE}); the whole batch is one transaction
 * of a fixed number of statements (multi-row inserts), whatever its size.
 */
@Service
public class LeaseService {

    private static final Logger log = LoggerFactory.getLogger(LeaseService.class);
    /** Most transaction attempts of one settlement (a lost race on an eventId, a deadlock). */
    static final int SETTLE_ATTEMPTS = 3;

    private final Sql sql;
    private final TransactionTemplate tx;
    private final Ledger ledger;
    private final Accounts accounts;
    private final KeyLookup keys;
    private final Clock clock;
    private final CreditMetrics metrics;
    private final OptionService options;
    private final HoldExpiry holdExpiry;
    private final CreditsProperties.Leases props;

    LeaseService(Sql sql, TransactionTemplate tx, Ledger ledger, Accounts accounts, KeyLookup keys, Clock clock,
                 CreditMetrics metrics, OptionService options, HoldExpiry holdExpiry, CreditsProperties props) {
        this.sql = sql;
        this.tx = tx;
        this.ledger = ledger;
        this.accounts = accounts;
        this.keys = keys;
        this.clock = clock;
        this.metrics = metrics;
        this.options = options;
        this.holdExpiry = holdExpiry;
        this.props = props.leases();
    }

    // ---------------------------------------------------------------------------------------------------- sizing

    /**
     * The new size of an ACTIVE lease (micro-credits) on refresh.
     *
     * @param amount   what it holds now
     * @param wanted   the unspent size the gateway wants
     * @param min      the smallest size worth holding
     * @param inUse    credit the gateway admitted locally and has not settled yet: the lease never goes below
     *                 {@code min(inUse, amount)}
     * @param free     the user's available credit ({@code balance - held}, this lease counted as held)
     * @param recalled an admin is lowering the user's credit
     */
    static long resize(long amount, long wanted, long min, long inUse, long free, boolean recalled) {
        long floor = Math.min(inUse, amount);
        if (recalled || free < 0) {
            return floor; // never grow while recalled or in debt: give back all that is not in use
        }
        if (wanted > amount) {
            long grown = amount + Math.min(wanted - amount, free / 2); // at most half of what is free per call
            return grown < min ? floor : grown; // too small to be worth holding: draining
        }
        if (wanted < amount) {
            return Math.max(wanted, floor);
        }
        return amount;
    }

    /** The size of a new lease: at most half the free credit; nothing while recalled or when nothing is free. */
    static long openSize(long wanted, long free, boolean recalled) {
        return recalled || free <= 0 ? 0 : Math.min(wanted, free / 2);
    }

    // ------------------------------------------------------------------------------------------------- results

    sealed interface OpenResult {
    }

    /** The owner's lease of the key's user: created now, or its ACTIVE lease (resized, growth only). */
    record Opened(Lease lease, boolean created, boolean recalled, long available) implements OpenResult {
    }

    /** Not opened: the size it could have would be below {@code needed} (or zero). */
    record Refused(long available, long needed, boolean recalled) implements OpenResult {
    }

    /** A refresh: {@code active} false when the lease is RELEASED or EXPIRED (nothing changed but its expiry). */
    record Refreshed(Lease lease, boolean active, boolean recalled, long available, List<String> disabledKeys) {
    }

    /** One event to settle; {@code costUsd} exact. */
    record Event(String eventId, String keyId, BigDecimal costUsd, String model) {
    }

    /** How one event was settled: {@code charged} false for a DUPLICATE_EVENT; {@code amount} debited now. */
    record Charge(String eventId, boolean charged, long amount) {
    }

    record Settled(Lease lease, List<Charge> charges, long available) {
    }

    record Released(Lease lease, long available) {
    }

    // ---------------------------------------------------------------------------------------------------- open

    OpenResult open(String keyId, String owner, BigDecimal amountUsd, BigDecimal minUsd, long ttlSeconds) {
        KeyLookup.KeyRef key = keys.requireActive(keyId);
        BigDecimal rate = options.creditsPerUsd();
        long wanted = Money.usdToMicros(amountUsd, rate);
        long min = Money.usdToMicros(minUsd, rate);
        for (int attempt = 0; ; attempt++) {
            long now = clock.millis();
            Step<OpenResult> step = tx.execute(s -> openLocked(key, owner, wanted, min, now, now + ttlSeconds * 1000));
            countExpired(step.expired());
            OpenResult r = step.result();
            if (r instanceof Refused && attempt == 0
                    && holdExpiry.expireForUser(key.userId(), now) + expireForUser(key.userId(), now) > 0) {
                continue; // holds and leases whose TTL passed must not count: finalise them and try once more
            }
            long available = available(key.userId());
            if (r instanceof Opened o) {
                metrics.leaseOpen(o.created() ? "opened" : "reused");
                return new Opened(o.lease(), o.created(), o.recalled(), available);
            }
            Refused refused = (Refused) r;
            metrics.leaseOpen("refused");
            return new Refused(available, refused.needed(), refused.recalled());
        }
    }

    private Step<OpenResult> openLocked(KeyLookup.KeyRef key, String owner, long wanted, long min, long now, long until) {
        String userId = key.userId();
        long[] user = lockUser(userId);
        boolean recalled = recalled(userId, now);
        long free = user[0] - user[1];
        int expired = 0;
        Optional<Lease> existing = sql.jdbc().sql("SELECT " + Lease.COLUMNS + " FROM leases WHERE user_id = :u"
                + " AND active_owner = :o").param("u", userId).param("o", owner).query(Lease::map).optional();
        if (existing.isPresent()) {
            Lease e = existing.get();
            if (e.expiresAtMs() > now) {
                // the owner's lease: answered as it is, grown as a refresh with nothing in use would grow it
                long next = Math.max(e.amount(), resize(e.amount(), wanted, min, 0, free, recalled));
                return new Step<>(new Opened(resizeTo(e, next, now, until), false, recalled, 0), 0);
            }
            finish(e, Lease.EXPIRED, now); // its TTL passed: it is over, a new one is opened
            free += e.amount();
            expired = 1;
        }
        long amount = openSize(wanted, free, recalled);
        if (amount < min || amount == 0) {
            return new Step<>(new Refused(0, Math.max(min, 1), recalled), expired);
        }
        Lease lease = new Lease(UUID.randomUUID().toString(), userId, owner, key.id(), amount, 0, Lease.ACTIVE, now,
                until, null);
        sql.jdbc().sql("""
                        INSERT INTO leases (id, user_id, owner, active_owner, key_id, amount, spent, status, created_at_ms,
                                            refreshed_at_ms, expires_at_ms)
                        VALUES (:id, :u, :o, :o, :k, :a, 0, 'ACTIVE', :now, :now, :exp)""")
                .param("id", lease.id()).param("u", userId).param("o", owner).param("k", key.id()).param("a", amount)
                .param("now", now).param("exp", until).update();
        addHeld(userId, amount);
        return new Step<>(new Opened(lease, true, recalled, 0), expired);
    }

    // ------------------------------------------------------------------------------------------------- refresh

    Refreshed refresh(String leaseId, BigDecimal amountUsd, BigDecimal minUsd, BigDecimal inUseUsd, long ttlSeconds,
                      List<String> keyIds) {
        Lease lease = require(leaseId);
        BigDecimal rate = options.creditsPerUsd();
        long wanted = Money.usdToMicros(amountUsd, rate);
        long min = Money.usdToMicros(minUsd, rate);
        long inUse = Money.usdToMicros(inUseUsd, rate);
        long now = clock.millis();
        Step<Refreshed> step = tx.execute(s -> {
            long[] user = lockUser(lease.userId());
            Lease cur = byId(leaseId).orElseThrow();
            if (!cur.active()) {
                return new Step<>(new Refreshed(cur, false, false, 0, List.of()), 0);
            }
            if (cur.expiresAtMs() <= now) {
                return new Step<>(new Refreshed(finish(cur, Lease.EXPIRED, now), false, false, 0, List.of()), 1);
            }
            boolean recalled = recalled(lease.userId(), now);
            long next = resize(cur.amount(), wanted, min, inUse, user[0] - user[1], recalled);
            return new Step<>(new Refreshed(resizeTo(cur, next, now, now + ttlSeconds * 1000), true, recalled, 0,
                    List.of()), 0);
        });
        countExpired(step.expired());
        Refreshed r = step.result();
        metrics.leaseRefresh(r.active() ? Lease.ACTIVE : code(r.lease()));
        List<String> disabled = r.active() && !keyIds.isEmpty() ? keys.notActive(lease.userId(), keyIds) : List.of();
        return new Refreshed(r.lease(), r.active(), r.recalled(), available(lease.userId()), disabled);
    }

    /** The 409 code of a lease that is no longer ACTIVE. */
    static String code(Lease lease) {
        return Lease.RELEASED.equals(lease.status()) ? "lease_released" : "lease_expired";
    }

    // -------------------------------------------------------------------------------------------------- settle

    /**
     * Charges each event once, in one transaction: {@code balance -= sum of the fresh events' costs}; an ACTIVE
     * lease gives back {@code min(sum, amount)} of what it holds ({@code held} and {@code amount} go down by it) and
     * {@code spent} grows by the sum. A RELEASED or EXPIRED lease (or one whose TTL passed, made EXPIRED here): plain
     * debits. Events must carry keys of the lease's user (else 400, nothing changes); their eventIds are unique
     * within the batch (checked by the caller).
     */
    Settled settle(String leaseId, List<Event> events) {
        Lease lease = require(leaseId);
        Set<String> ofUser = keys.ofUser(lease.userId(), events.stream().map(Event::keyId).toList());
        for (int i = 0; i < events.size(); i++) {
            if (!ofUser.contains(events.get(i).keyId())) {
                throw ApiError.INVALID_REQUEST.exception("events[" + i + "].keyId: " + events.get(i).keyId()
                        + " is not a key of the lease's user");
            }
        }
        BigDecimal rate = options.creditsPerUsd();
        long[] costs = new long[events.size()];
        for (int i = 0; i < costs.length; i++) {
            costs[i] = Money.usdToMicros(events.get(i).costUsd(), rate);
        }
        for (int attempt = 1; ; attempt++) {
            Step<Settled> step;
            try {
                step = tx.execute(s -> settleLocked(lease, events, costs, clock.millis()));
            } catch (LostRace | DuplicateKeyException | PessimisticLockingFailureException e) {
                // an eventId of the batch was charged by a concurrent transaction (or a deadlock): nothing of this
                // one was committed; again, it then finds those events charged
                if (attempt >= SETTLE_ATTEMPTS) {
                    throw e;
                }
                log.debug("lease settlement attempt {} lost a race ({}); again", attempt, e.toString());
                continue;
            }
            countExpired(step.expired());
            Settled r = step.result();
            int charged = (int) r.charges().stream().filter(Charge::charged).count();
            metrics.leaseEvents("CHARGED", charged);
            metrics.leaseEvents("DUPLICATE_EVENT", r.charges().size() - charged);
            return new Settled(r.lease(), r.charges(), available(lease.userId()));
        }
    }

    private Step<Settled> settleLocked(Lease lease, List<Event> events, long[] costs, long now) {
        long[] user = lockUser(lease.userId());
        Lease cur = byId(lease.id()).orElseThrow();
        int expired = 0;
        if (cur.active() && cur.expiresAtMs() <= now) {
            user[1] -= cur.amount();
            cur = finish(cur, Lease.EXPIRED, now);
            expired = 1;
        }
        // (user_id, event_id) IN ((?, ?), ...): every database here finds each pair by the primary key; H2 does not
        // for "user_id = ? AND event_id IN (...)", it scans the user's rows (every event the user was ever charged)
        var spec = sql.jdbc().sql("SELECT event_id FROM processed_events WHERE (user_id, event_id) IN ("
                + String.join(", ", java.util.Collections.nCopies(events.size(), "(?, ?)")) + ")");
        for (Event e : events) {
            spec = spec.param(lease.userId()).param(e.eventId());
        }
        Set<String> seen = new HashSet<>(spec.query(String.class).list());
        List<Charge> charges = new ArrayList<>(events.size());
        List<Object[]> processed = new ArrayList<>(events.size());
        List<Ledger.Entry> entries = new ArrayList<>(events.size());
        long sum = 0;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (seen.contains(e.eventId())) {
                charges.add(new Charge(e.eventId(), false, 0));
                continue;
            }
            charges.add(new Charge(e.eventId(), true, costs[i]));
            processed.add(new Object[] {e.eventId(), "LEASE", lease.userId(), costs[i], now});
            entries.add(new Ledger.Entry(lease.userId(), EntryType.LEASE_CHARGE, -costs[i], "lease:" + e.eventId(),
                    e.model(), e.keyId(), null, e.eventId(), lease.id()));
            sum = Math.addExact(sum, costs[i]);
        }
        if (entries.isEmpty()) {
            return new Step<>(new Settled(cur, charges, 0), expired);
        }
        if (sql.insertRows("processed_events", "(event_id, source, user_id, amount, created_at_ms)", processed, true)
                != processed.size()) {
            throw new LostRace(); // committed meanwhile by a capture, a webhook or another settlement
        }
        long release = cur.active() ? Math.min(sum, cur.amount()) : 0;
        ledger.postAll(lease.userId(), user[0], user[1], entries, release);
        sql.jdbc().sql("UPDATE leases SET amount = amount - :rel, spent = spent + :sum WHERE id = :id")
                .param("rel", release).param("sum", sum).param("id", cur.id()).update();
        Lease after = new Lease(cur.id(), cur.userId(), cur.owner(), cur.keyId(), cur.amount() - release,
                cur.spent() + sum, cur.status(), cur.createdAtMs(), cur.expiresAtMs(), cur.finalizedAtMs());
        return new Step<>(new Settled(after, charges, 0), expired);
    }

    /** An eventId of a settlement was inserted by a concurrent transaction between its check and its insert. */
    private static final class LostRace extends RuntimeException {
        LostRace() {
            super("an event of the batch was charged by a concurrent transaction", null, false, false);
        }
    }

    // ------------------------------------------------------------------------------------------------- release

    /** ACTIVE -> RELEASED (its credit given back at once); a final lease answers as it is (idempotent). */
    Released release(String leaseId) {
        Lease lease = require(leaseId);
        long now = clock.millis();
        Step<Lease> step = tx.execute(s -> {
            lockUser(lease.userId());
            Lease cur = byId(leaseId).orElseThrow();
            if (!cur.active()) {
                return new Step<>(cur, 0);
            }
            boolean lapsed = cur.expiresAtMs() <= now;
            return new Step<>(finish(cur, lapsed ? Lease.EXPIRED : Lease.RELEASED, now), lapsed ? 1 : 0);
        });
        countExpired(step.expired());
        metrics.leaseRelease(step.result().status());
        return new Released(step.result(), available(lease.userId()));
    }

    // -------------------------------------------------------------------------------------------------- expiry

    /** Finalises every ACTIVE lease of this user whose TTL has passed; how many it finalised. */
    public int expireForUser(String userId, long now) {
        return expireAll(sql.jdbc().sql("SELECT " + Lease.COLUMNS + " FROM leases WHERE user_id = :u AND status = 'ACTIVE'"
                + " AND expires_at_ms <= :now").param("u", userId).param("now", now).query(Lease::map).list(), now);
    }

    /** Finalises up to {@code limit} ACTIVE leases whose TTL has passed (the sweeper); how many it finalised. */
    public int expireDue(long now, int limit) {
        return expireAll(sql.jdbc().sql("SELECT " + Lease.COLUMNS + " FROM leases WHERE status = 'ACTIVE'"
                        + " AND expires_at_ms <= :now ORDER BY expires_at_ms LIMIT :n")
                .param("now", now).param("n", limit).query(Lease::map).list(), now);
    }

    private int expireAll(List<Lease> due, long now) {
        int n = 0;
        for (Lease l : due) {
            Boolean done = tx.execute(s -> {
                lockUser(l.userId());
                Lease cur = byId(l.id()).orElseThrow();
                if (!cur.active() || cur.expiresAtMs() > now) {
                    return false; // released, settled into expiry or refreshed since it was read
                }
                finish(cur, Lease.EXPIRED, now);
                return true;
            });
            n += Boolean.TRUE.equals(done) ? 1 : 0;
        }
        countExpired(n);
        return n;
    }

    // -------------------------------------------------------------------------------------------------- recall

    /** How a recall went: {@code posted} the attempt's result (null if it never fit); {@code waited} leases were asked. */
    public record Recall<T>(T posted, boolean waited, long heldByLeases) {
    }

    /**
     * An admin adjustment that does not fit the available credit: when the user has ACTIVE leases, marks the user
     * recalled (their refreshes then shrink each lease to what is in use and never grow it) and tries
     * {@code attempt} again every {@code credits.leases.recall-poll} until it succeeds (non-null) or
     * {@code credits.leases.recall-wait} has passed; the mark is removed in every case. Without leases, nothing is
     * tried ({@code waited} false). Waits without holding a connection or a lock.
     */
    public <T> Recall<T> recall(String userId, Supplier<T> attempt) {
        long now = clock.millis();
        if (leasedCredit(userId, now)[0] == 0) {
            return new Recall<>(null, false, 0);
        }
        String id = markRecalled(userId, now);
        long deadline = System.nanoTime() + props.recallWait().toNanos();
        try {
            while (true) {
                try {
                    Thread.sleep(props.recallPoll());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                long t = clock.millis();
                holdExpiry.expireForUser(userId, t);
                expireForUser(userId, t);
                T posted = attempt.get();
                if (posted != null) {
                    metrics.leaseRecall("returned");
                    return new Recall<>(posted, true, leasedCredit(userId, clock.millis())[1]);
                }
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
            }
        } finally {
            sql.jdbc().sql("DELETE FROM lease_recalls WHERE id = :id").param("id", id).update();
        }
        metrics.leaseRecall("timeout");
        return new Recall<>(null, true, leasedCredit(userId, clock.millis())[1]);
    }

    /**
     * A hold of the user was just refused while ACTIVE leases hold unspent credit that, given back, would have
     * covered it: marks the user recalled for {@code credits.leases.recall-wait}, so that every instance's next
     * refresh (within its {@code gateway.credit.lease-refresh}, 0.5 s) shrinks its lease to what is in use and
     * returns the rest, and no lease opens or grows meanwhile. The user's requests then take per-request holds, and
     * a small balance is never stranded in another instance's lease. One mark per user at a time; nothing when the
     * leases hold too little to make the hold fit.
     *
     * @return true when it marked the user
     */
    public boolean recallAfterRefusal(String userId, long needed, long available) {
        long now = clock.millis();
        long leased = leasedCredit(userId, now)[1];
        if (leased == 0 || available + leased < needed || recalled(userId, now)) {
            return false;
        }
        markRecalled(userId, now);
        metrics.leaseRecall("hold_refused");
        log.debug("user {}: hold of {} refused with {} available and {} in leases: leases recalled", userId, needed,
                available, leased);
        return true;
    }

    /** Marks the user recalled until {@code now + credits.leases.recall-wait}; the mark's id. */
    private String markRecalled(String userId, long now) {
        String id = UUID.randomUUID().toString();
        sql.jdbc().sql("INSERT INTO lease_recalls (id, user_id, until_ms) VALUES (:id, :u, :until)")
                .param("id", id).param("u", userId).param("until", now + props.recallWait().toMillis()).update();
        return id;
    }

    /** Removes recall marks whose time is long over (left by an instance that stopped while waiting). */
    public void forgetStaleRecalls(long now) {
        sql.jdbc().sql("DELETE FROM lease_recalls WHERE until_ms < :t").param("t", now - 60_000).update();
    }

    /** How many ACTIVE unexpired leases the user has, and the credit they hold. */
    private long[] leasedCredit(String userId, long now) {
        return sql.jdbc().sql("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM leases WHERE user_id = :u"
                        + " AND status = 'ACTIVE' AND expires_at_ms > :now").param("u", userId).param("now", now)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** A transaction's result and how many leases it made EXPIRED (counted once it committed). */
    private record Step<R>(R result, int expired) {
    }

    private void countExpired(int n) {
        if (n > 0) {
            metrics.leasesExpired(n);
        }
    }

    /** Locks the user's row for this transaction; {@code {balance, held}}. */
    private long[] lockUser(String userId) {
        return sql.jdbc().sql("SELECT balance, held FROM users WHERE id = :id FOR UPDATE").param("id", userId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }

    private boolean recalled(String userId, long now) {
        return sql.jdbc().sql("SELECT COUNT(*) FROM lease_recalls WHERE user_id = :u AND until_ms > :now")
                .param("u", userId).param("now", now).query(Long.class).single() > 0;
    }

    /** Sets an ACTIVE lease's size and expiry, moving the difference in and out of the user's held credit. */
    private Lease resizeTo(Lease cur, long amount, long now, long until) {
        sql.jdbc().sql("UPDATE leases SET amount = :a, refreshed_at_ms = :now, expires_at_ms = :exp WHERE id = :id")
                .param("a", amount).param("now", now).param("exp", until).param("id", cur.id()).update();
        addHeld(cur.userId(), amount - cur.amount());
        return new Lease(cur.id(), cur.userId(), cur.owner(), cur.keyId(), amount, cur.spent(), cur.status(),
                cur.createdAtMs(), until, null);
    }

    /** ACTIVE -> RELEASED or EXPIRED: it holds nothing any more ({@code held -= amount}, {@code amount = 0}). */
    private Lease finish(Lease cur, String status, long now) {
        int n = sql.jdbc().sql("UPDATE leases SET status = :s, active_owner = NULL, amount = 0, finalized_at_ms = :now"
                        + " WHERE id = :id AND status = 'ACTIVE'")
                .param("s", status).param("now", now).param("id", cur.id()).update();
        if (n == 1) {
            addHeld(cur.userId(), -cur.amount());
        }
        return new Lease(cur.id(), cur.userId(), cur.owner(), cur.keyId(), 0, cur.spent(), status, cur.createdAtMs(),
                cur.expiresAtMs(), now);
    }

    private void addHeld(String userId, long delta) {
        if (delta != 0) {
            sql.jdbc().sql("UPDATE users SET held = held + :d WHERE id = :u").param("d", delta).param("u", userId).update();
        }
    }

    private long available(String userId) {
        return accounts.state(userId, clock.millis()).map(Accounts.State::available).orElse(0L);
    }

    private Lease require(String leaseId) {
        return byId(leaseId).orElseThrow(() -> ApiError.NOT_FOUND.exception("lease not found: " + leaseId));
    }

    Optional<Lease> byId(String leaseId) {
        if (!dev.creditgate.credits.web.RequestBodies.isUuid(leaseId)) {
            return Optional.empty();
        }
        return sql.jdbc().sql("SELECT " + Lease.COLUMNS + " FROM leases WHERE id = :id").param("id", leaseId)
                .query(Lease::map).optional();
    }
}
