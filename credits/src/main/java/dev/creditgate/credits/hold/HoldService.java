package dev.creditgate.credits.hold;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;
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
import dev.creditgate.credits.ledger.EntryType;
import dev.creditgate.credits.ledger.Ledger;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.metrics.CreditMetrics;
import dev.creditgate.credits.web.ApiError;

/**
 * Two-phase holds, after TigerBeetle's pending transfers: PENDING -> CAPTURED (for less or more) | RELEASED |
 * EXPIRED. Every guarantee lives in SQL, so it holds across threads and across instances sharing the database:
 *
 * <ul>
 *   <li>grant: {@code INSERT} the hold (unique {@code request_id}: the idempotency key), then the conditional
 *       reservation {@code UPDATE users SET held = held + :amt WHERE id = :user AND balance - held >= :amt}; no row
 *       updated means insufficient credit and the hold row is deleted again. The user row is locked only between
 *       that update and the commit;</li>
 *   <li>every state change of a hold is a conditional {@code UPDATE holds SET status = .. WHERE id = .. AND status =
 *       'PENDING'}: exactly one of capture / release / expiry wins, the others see 0 rows and answer the outcome
 *       that did win;</li>
 *   <li>a capture and a usage webhook share {@code processed_events} (primary key = eventId), so one eventId is
 *       charged once whichever path it takes.</li>
 * </ul>
 * A capture above its hold debits the full cost: the balance may go below zero (debt), and since debt makes
 * {@code balance - held} negative, no hold is granted until it is repaid.
 *
 * <p>The statements of a grant, capture or release run through {@link HoldBatcher}: requests of one user that
 * arrive together share one transaction (one row-lock wait, one commit), each keeping its own outcome.
 */
@Service
public class HoldService implements org.springframework.beans.factory.DisposableBean {

    private final Sql sql;
    private final TransactionTemplate tx;
    private final Ledger ledger;
    private final Accounts accounts;
    private final KeyLookup keys;
    private final Clock clock;
    private final CreditMetrics metrics;
    private final CreditsProperties.Holds props;
    private final dev.creditgate.credits.option.OptionService options;
    private final HoldBatcher batcher;
    private final HoldExpiry expiry;
    private final LeaseService leases;

    HoldService(Sql sql, TransactionTemplate tx, Ledger ledger, Accounts accounts, KeyLookup keys, Clock clock,
                CreditMetrics metrics, CreditsProperties props, dev.creditgate.credits.option.OptionService options,
                HoldExpiry expiry, LeaseService leases) {
        this.sql = sql;
        this.tx = tx;
        this.expiry = expiry;
        this.leases = leases;
        this.ledger = ledger;
        this.accounts = accounts;
        this.keys = keys;
        this.clock = clock;
        this.metrics = metrics;
        this.props = props.holds();
        this.options = options;
        this.batcher = new HoldBatcher(tx, this.props.batchLanes(), this.props.maxBatch(), metrics::batch);
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
        Optional<Hold> existing = byRequestId(requestId);
        if (existing.isPresent()) {
            return replay(existing.get(), keyId);
        }
        KeyLookup.KeyRef key = keys.requireActive(keyId);
        long amount = Money.usdToMicros(amountUsd, options.creditsPerUsd());
        for (int attempt = 0; ; attempt++) {
            long now = clock.millis();
            Hold hold = new Hold(UUID.randomUUID().toString(), requestId, keyId, key.userId(), amount, model,
                    Hold.PENDING, now, now + ttlSeconds * 1000, null, null, null);
            // one unit of a group commit (HoldBatcher): a refusal must undo its own insert instead of rolling back
            GrantResult result = batcher.run(key.userId(), () -> {
                int inserted = sql.insertIgnore("holds", """
                                (id, request_id, key_id, user_id, amount, model, status, created_at_ms, expires_at_ms)
                                VALUES (:id, :req, :key, :user, :amt, :model, 'PENDING', :now, :exp)""",
                        params("id", hold.id(), "req", requestId, "key", keyId, "user", key.userId(), "amt", amount,
                                "model", model, "now", now, "exp", hold.expiresAtMs()));
                if (inserted == 0) {
                    return null; // the same requestId won a race: answer its hold below
                }
                Long available = reserve(key.userId(), amount);
                if (available == null) {
                    sql.jdbc().sql("DELETE FROM holds WHERE id = :id").param("id", hold.id()).update();
                    return new Refused(0, amount);
                }
                return new Granted(hold, available, false);
            });
            if (result == null) {
                return replay(byRequestId(requestId).orElseThrow(), keyId);
            }
            if (result instanceof Granted) {
                metrics.hold("granted");
                return result;
            }
            // Refused: holds whose TTL passed must not count; finalise them and try once more.
            if (attempt == 0 && expireForUser(key.userId(), now) > 0) {
                continue;
            }
            long available = accounts.state(key.userId(), now).map(Accounts.State::available).orElse(0L);
            metrics.hold("refused");
            return new Refused(available, amount);
        }
    }

    /** The conditional reservation; the available credit after it, or null when it does not fit. */
    private Long reserve(String userId, long amount) {
        String update = "UPDATE users SET held = held + :amt WHERE id = :id AND balance - held >= :amt";
        if (sql.dialect().updateReturning()) {
            return sql.jdbc().sql(update + " RETURNING balance - held").param("amt", amount).param("id", userId)
                    .query(Long.class).optional().orElse(null);
        }
        if (sql.jdbc().sql(update).param("amt", amount).param("id", userId).update() == 0) {
            return null;
        }
        return sql.jdbc().sql("SELECT balance - held FROM users WHERE id = :id").param("id", userId).query(Long.class).single();
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

    OutcomeResult capture(String holdId, BigDecimal costUsd, String eventId, String model) {
        Hold hold = byId(holdId).orElseThrow(() -> ApiError.NOT_FOUND.exception("hold not found: " + holdId));
        String event = eventId != null ? eventId : "hold:" + holdId;
        long cost = Money.usdToMicros(costUsd, options.creditsPerUsd());
        long now = clock.millis();
        boolean late = hold.expiresAtMs() <= now;
        if (late && !props.honourLateCapture()) {
            expiry.expireOne(hold, now);
            Hold after = byId(holdId).orElseThrow();
            if (!Hold.PENDING.equals(after.status())) {
                return finish("capture", conflictOrReplay(after, event, true));
            }
            late = false; // extended between the read and the expiry: it is a capture in time
        }
        HoldOutcome outcome = late ? HoldOutcome.CAPTURED_AFTER_EXPIRY : HoldOutcome.CAPTURED;
        HoldOutcome done = batcher.run(hold.userId(), () -> {
            long releaseHeld = hold.amount();
            HoldOutcome posted = outcome;
            int n = sql.jdbc().sql("""
                            UPDATE holds SET status = 'CAPTURED', captured_amount = :c, event_id = :e, finalized_at_ms = :now,
                                   outcome = :o WHERE id = :id AND status = 'PENDING'""")
                    .params(params("c", cost, "e", event, "now", now, "o", outcome.name(), "id", holdId)).update();
            if (n == 0 && props.honourLateCapture()) {
                releaseHeld = 0; // an expired hold no longer holds anything: post a plain debit
                posted = HoldOutcome.CAPTURED_AFTER_EXPIRY;
                n = sql.jdbc().sql("""
                                UPDATE holds SET status = 'CAPTURED', captured_amount = :c, event_id = :e, finalized_at_ms = :now,
                                       outcome = 'CAPTURED_AFTER_EXPIRY' WHERE id = :id AND status = 'EXPIRED'""")
                        .params(params("c", cost, "e", event, "now", now, "id", holdId)).update();
            }
            if (n == 0) {
                return null;
            }
            int fresh = sql.insertIgnore("processed_events",
                    "(event_id, source, user_id, amount, created_at_ms) VALUES (:e, 'CAPTURE', :u, :a, :now)",
                    params("e", event, "u", hold.userId(), "a", cost, "now", now));
            if (fresh == 0) {
                // already charged by a webhook or another capture: void the hold, charge nothing
                sql.jdbc().sql("UPDATE holds SET status = 'RELEASED', captured_amount = 0, outcome = 'DUPLICATE_EVENT' WHERE id = :id")
                        .param("id", holdId).update();
                if (releaseHeld > 0) {
                    sql.jdbc().sql("UPDATE users SET held = held - :a WHERE id = :u").param("a", releaseHeld)
                            .param("u", hold.userId()).update();
                }
                return HoldOutcome.DUPLICATE_EVENT;
            }
            ledger.post(new Ledger.Entry(hold.userId(), EntryType.CAPTURE, -cost, "capture:" + holdId,
                    model != null ? model : hold.model(), hold.keyId(), holdId, event), releaseHeld, false);
            return posted;
        });
        Hold after = byId(holdId).orElseThrow();
        if (done == null) {
            return finish("capture", conflictOrReplay(after, event, true));
        }
        return finish("capture", result(done, true, after));
    }

    OutcomeResult release(String holdId) {
        Hold hold = byId(holdId).orElseThrow(() -> ApiError.NOT_FOUND.exception("hold not found: " + holdId));
        long now = clock.millis();
        // a hold extended between the read and the expiry is not expired: it is released as a pending one
        if (hold.expiresAtMs() > now || !expiry.expireOne(hold, now)) {
            batcher.run(hold.userId(), () -> {
                int n = sql.jdbc().sql("UPDATE holds SET status = 'RELEASED', finalized_at_ms = :now, outcome = 'RELEASED'"
                                + " WHERE id = :id AND status = 'PENDING'")
                        .param("now", now).param("id", holdId).update();
                if (n == 1) {
                    sql.jdbc().sql("UPDATE users SET held = held - :a WHERE id = :u").param("a", hold.amount())
                            .param("u", hold.userId()).update();
                }
                return null;
            });
        }
        Hold after = byId(holdId).orElseThrow();
        return finish("release", switch (after.status()) {
            case Hold.RELEASED -> after.outcome() != null && after.outcome().equals(HoldOutcome.DUPLICATE_EVENT.name())
                    ? result(HoldOutcome.DUPLICATE_EVENT, true, after) : result(HoldOutcome.RELEASED, true, after);
            case Hold.EXPIRED -> result(HoldOutcome.EXPIRED, true, after);
            default -> result(HoldOutcome.ALREADY_CAPTURED, false, after);
        });
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

    /** What a capture that changed nothing answers: a replay of the same capture, or the conflicting state. */
    private OutcomeResult conflictOrReplay(Hold hold, String event, boolean capture) {
        return switch (hold.status()) {
            case Hold.CAPTURED -> event.equals(hold.eventId())
                    ? result(HoldOutcome.valueOf(hold.outcome()), true, hold)
                    : result(HoldOutcome.ALREADY_CAPTURED, false, hold);
            case Hold.RELEASED -> HoldOutcome.DUPLICATE_EVENT.name().equals(hold.outcome()) && event.equals(hold.eventId())
                    ? result(HoldOutcome.DUPLICATE_EVENT, true, hold)
                    : result(HoldOutcome.RELEASED, false, hold);
            case Hold.EXPIRED -> result(HoldOutcome.EXPIRED, false, hold);
            default -> throw new IllegalStateException("hold " + hold.id() + " still pending after a failed transition");
        };
    }

    private OutcomeResult result(HoldOutcome outcome, boolean success, Hold hold) {
        Accounts.State s = accounts.state(hold.userId(), clock.millis()).orElseThrow();
        return new OutcomeResult(outcome, success, hold, hold.capturedAmount(), s.available(), s.debt());
    }

    private OutcomeResult finish(String op, OutcomeResult r) {
        if (op.equals("capture")) {
            metrics.capture(r.outcome().name());
        } else {
            metrics.release(r.outcome().name());
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

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
