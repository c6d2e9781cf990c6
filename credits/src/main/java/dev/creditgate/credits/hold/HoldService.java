package dev.creditgate.credits.hold;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.creditgate.contract.HoldOutcome;
import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.apikey.KeyLookup;
import dev.creditgate.credits.lease.LeaseService;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.Accounts;
import dev.creditgate.credits.ledger.Ledger;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.metrics.CreditMetrics;
import dev.creditgate.credits.web.ApiError;

/**
 * Two-phase holds, after TigerBeetle's pending transfers: PENDING -> CAPTURED (for less or more) | RELEASED |
 * EXPIRED. Every guarantee lives in the database, so it holds across threads and across instances sharing it:
 *
 * <ul>
 *   <li>grant: with the user's row locked ({@code SELECT .. FOR UPDATE}), the hold is granted only when
 *       {@code balance - held >= amount}, and {@code held} grows by it in the same transaction; the hold row's
 *       unique {@code request_id} is the idempotency key (insert-ignore). The user row is locked only from that
 *       read to the commit;</li>
 *   <li>every state change of a hold happens with its row locked, from PENDING only (or EXPIRED, for a late
 *       capture): exactly one of capture / release / expiry wins, the others find the state that did win and
 *       answer it (expiry and extension stay conditional updates, {@code WHERE status = 'PENDING'});</li>
 *   <li>a capture and a usage webhook share {@code processed_events} (primary key = eventId), so one eventId is
 *       charged once whichever path it takes.</li>
 * </ul>
 * A capture above its hold debits the full cost: the balance may go below zero (debt), and since debt makes
 * {@code balance - held} negative, no hold is granted until it is repaid.
 *
 * <p>Grants, captures and releases run through {@link HoldBatcher}: requests of one user that arrive together
 * share one transaction (one row-lock wait, one commit) and a few multi-row statements ({@link HoldBatch}), each
 * keeping its own outcome. A request names a key (a grant) or a hold (a capture or release); which user that is,
 * is remembered in memory (a key's for {@link KeyLookup#ACTIVE_TTL_MS}, a hold's from its grant until it is
 * settled), so that on the hot path the request itself reads nothing and all its work is in its batch.
 */
@Service
public class HoldService implements org.springframework.beans.factory.DisposableBean {

    private final Sql sql;
    private final Accounts accounts;
    private final KeyLookup keys;
    private final Clock clock;
    private final CreditMetrics metrics;
    private final CreditsProperties.Holds props;
    private final dev.creditgate.credits.option.OptionService options;
    private final HoldBatcher batcher;
    private final HoldBatch batch;
    private final HoldUsers holdUsers = new HoldUsers();
    private final HoldExpiry expiry;
    private final LeaseService leases;

    HoldService(Sql sql, TransactionTemplate tx, Ledger ledger, Accounts accounts, KeyLookup keys, Clock clock,
                CreditMetrics metrics, CreditsProperties props, dev.creditgate.credits.option.OptionService options,
                HoldExpiry expiry, LeaseService leases) {
        this.sql = sql;
        this.expiry = expiry;
        this.leases = leases;
        this.accounts = accounts;
        this.keys = keys;
        this.clock = clock;
        this.metrics = metrics;
        this.props = props.holds();
        this.options = options;
        this.batcher = new HoldBatcher(tx, this.props.batchLanes(), this.props.maxBatch(), metrics::batch,
                this.props.queueCapacity(), this.props.queueDeadline());
        this.batch = new HoldBatch(sql, accounts, ledger, clock, this.props.honourLateCapture(),
                this.props.maxOpenPerKey(), this.props.maxOpenPerUser());
    }

    /**
     * holdId -> userId of the holds granted here and not yet seen settled, so that their capture or release need
     * not read the hold to find its user's lane (a hold's user never changes). Bounded: forgets all when full.
     */
    private static final class HoldUsers {
        private static final int MAX = 200_000;
        private final java.util.concurrent.ConcurrentHashMap<String, String> users = new java.util.concurrent.ConcurrentHashMap<>();

        void remember(String holdId, String userId) {
            if (users.size() >= MAX) {
                users.clear();
            }
            users.put(holdId, userId);
        }

        String get(String holdId) {
            return holdId == null ? null : users.get(holdId);
        }

        void forget(String holdId) {
            users.remove(holdId);
        }
    }

    @Override
    public void destroy() {
        batcher.close();
    }

    HoldBatcher batcher() {
        return batcher;
    }

    sealed interface GrantResult {
    }

    /** A hold exists for this request ({@code replayed}: it existed before this call). */
    record Granted(Hold hold, long available, boolean replayed) implements GrantResult {
    }

    record Refused(long available, long needed) implements GrantResult {
    }

    GrantResult grant(String keyId, String requestId, BigDecimal amountUsd, long ttlSeconds, String model) {
        KeyLookup.KeyRef key;
        try {
            key = keys.requireActiveCached(keyId);
        } catch (RuntimeException notActive) {
            // a repeat of a request whose hold exists answers that hold, whatever the key's state now
            Optional<Hold> existing = byRequestId(requestId);
            if (existing.isPresent()) {
                return replay(existing.get(), keyId);
            }
            throw notActive;
        }
        long amount = Money.usdToMicros(amountUsd, options.creditsPerUsd());
        for (int attempt = 0; ; attempt++) {
            long now = clock.millis();
            Hold hold = new Hold(UUID.randomUUID().toString(), requestId, keyId, key.userId(), amount, model,
                    Hold.PENDING, now, now + ttlSeconds * 1000, null, null, null);
            Object result = batcher.run(key.userId(), batch, new HoldBatch.Grant(hold));
            if (result instanceof Granted granted) {
                holdUsers.remember(hold.id(), key.userId());
                metrics.hold("granted");
                return granted;
            }
            // null: the same requestId has a hold (a race, or a repeat); refused: a repeat is answered its hold too
            Optional<Hold> existing = byRequestId(requestId);
            if (existing.isPresent()) {
                return replay(existing.get(), keyId);
            }
            if (result == null) {
                throw new IllegalStateException("hold of request " + requestId + " vanished");
            }
            if (result == HoldBatch.TOO_MANY_HOLDS) {
                metrics.hold("too_many");
                throw ApiError.TOO_MANY_OPEN_HOLDS.exception("too many open holds: key " + keyId + " or its user has"
                        + " the most pending holds allowed (credits.holds.max-open-per-key " + props.maxOpenPerKey()
                        + ", max-open-per-user " + props.maxOpenPerUser() + "); capture or release some first");
            }
            // Refused: holds whose TTL passed must not count; finalise them and try once more.
            if (attempt == 0 && expireForUser(key.userId(), now) > 0) {
                continue;
            }
            long available = accounts.state(key.userId(), now).map(Accounts.State::available).orElse(0L);
            metrics.hold("refused");
            leases.recallAfterRefusal(key.userId(), amount, available); // credit in leases comes back for the next
            return new Refused(available, amount);
        }
    }

    private GrantResult replay(Hold hold, String keyId) {
        if (!hold.keyId().equals(keyId)) {
            throw ApiError.CONFLICT.exception("requestId: already used for a hold on another key");
        }
        metrics.hold("replayed");
        long available = accounts.state(hold.userId(), clock.millis()).map(Accounts.State::available).orElse(0L);
        return new Granted(hold, available, true);
    }

    /** Result of a capture or release: the outcome, whether it is a success, and the numbers to answer. */
    record OutcomeResult(HoldOutcome outcome, boolean success, Hold hold, Long captured, long available, long debt) {
    }

    /** See {@link HoldBatch#runAll} for what a capture does in each state of its hold. */
    OutcomeResult capture(String holdId, BigDecimal costUsd, String eventId, String model) {
        String userId = userOf(holdId);
        String event = eventId != null ? eventId : "hold:" + holdId;
        long cost = Money.usdToMicros(costUsd, options.creditsPerUsd());
        return finish("capture", holdId, batcher.run(userId, batch, new HoldBatch.Capture(holdId, cost, event, model)));
    }

    /** See {@link HoldBatch#runAll}: a pending hold is released, one whose TTL passed expires; others answer as they are. */
    OutcomeResult release(String holdId) {
        return finish("release", holdId, batcher.run(userOf(holdId), batch, new HoldBatch.Release(holdId)));
    }

    /** The user of a hold: remembered from its grant here, else read (404 for no such hold). */
    private String userOf(String holdId) {
        String userId = holdUsers.get(holdId);
        if (userId != null) {
            return userId;
        }
        if (!dev.creditgate.credits.web.RequestBodies.isUuid(holdId)) {
            throw ApiError.NOT_FOUND.exception("hold not found: " + holdId);
        }
        return sql.jdbc().sql("SELECT user_id FROM holds WHERE id = :id").param("id", holdId).query(String.class)
                .optional().orElseThrow(() -> ApiError.NOT_FOUND.exception("hold not found: " + holdId));
    }

    /**
     * Hold renewal, for a stream that outlives its hold's TTL: a PENDING hold whose TTL has not passed now expires
     * {@code ttlSeconds} from now. Never earlier than it already did, so a repeat or a late retry of an extension
     * cannot shorten a later one: idempotent. A hold that is no longer pending, or whose TTL has passed (it stops
     * counting then, SPEC 4.1; it is made EXPIRED here), is not extended and the answer names its state.
     *
     * <p>Not through {@link HoldBatcher}: an extension changes one column of one hold row and moves no money, so it
     * takes no user-row lock and needs no group commit. It is the one conditional statement below, on its own; the
     * transitions that race with it (capture, release, expiry) are conditional on {@code status = 'PENDING'}, and
     * expiry also on {@code expires_at_ms <= :now}, so an extended hold is never expired by a sweep that had read it
     * as due before the extension.
     */
    OutcomeResult extend(String holdId, long ttlSeconds) {
        Hold hold = byId(holdId).orElseThrow(() -> ApiError.NOT_FOUND.exception("hold not found: " + holdId));
        long now = clock.millis();
        long until = now + ttlSeconds * 1000;
        sql.jdbc().sql("""
                        UPDATE holds SET expires_at_ms = :until
                         WHERE id = :id AND status = 'PENDING' AND expires_at_ms > :now AND expires_at_ms < :until""")
                .param("until", until).param("id", hold.id()).param("now", now).update();
        Hold after = byId(holdId).orElseThrow();
        if (Hold.PENDING.equals(after.status()) && after.expiresAtMs() <= now) {
            expiry.expireOne(after, now);
            after = byId(holdId).orElseThrow();
        }
        OutcomeResult r = switch (after.status()) {
            case Hold.PENDING -> result(HoldOutcome.EXTENDED, true, after); // extended now, or already as far
            case Hold.CAPTURED -> result(HoldOutcome.ALREADY_CAPTURED, false, after);
            case Hold.RELEASED -> result(HoldOutcome.RELEASED, false, after);
            default -> result(HoldOutcome.EXPIRED, false, after);
        };
        metrics.extend(r.outcome().name());
        return r;
    }

    private OutcomeResult result(HoldOutcome outcome, boolean success, Hold hold) {
        Accounts.State s = accounts.state(hold.userId(), clock.millis()).orElseThrow();
        return new OutcomeResult(outcome, success, hold, hold.capturedAmount(), s.available(), s.debt());
    }

    private OutcomeResult finish(String op, String holdId, Object answer) {
        HoldBatch.Settled settled = (HoldBatch.Settled) answer;
        OutcomeResult r = settled.result();
        if (settled.expired()) {
            metrics.expired(1);
        }
        if (op.equals("capture")) {
            metrics.capture(r.outcome().name());
        } else {
            metrics.release(r.outcome().name());
        }
        if (!Hold.PENDING.equals(r.hold().status())) {
            holdUsers.forget(holdId);
        }
        return r;
    }

    /**
     * Finalises every pending hold and every ACTIVE lease of this user whose TTL has passed (a grant that did not
     * fit tries again after it); how many it finalised.
     */
    int expireForUser(String userId, long now) {
        return expiry.expireForUser(userId, now) + leases.expireForUser(userId, now);
    }

    Optional<Hold> byId(String holdId) {
        if (!dev.creditgate.credits.web.RequestBodies.isUuid(holdId)) {
            return Optional.empty();
        }
        return sql.jdbc().sql("SELECT " + Hold.COLUMNS + " FROM holds WHERE id = :id").param("id", holdId)
                .query(Hold::map).optional();
    }

    private Optional<Hold> byRequestId(String requestId) {
        return sql.jdbc().sql("SELECT " + Hold.COLUMNS + " FROM holds WHERE request_id = :r").param("r", requestId)
                .query(Hold::map).optional();
    }
}
