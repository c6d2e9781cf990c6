package dev.creditgate.credits.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.lease.LeaseService;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.RequestBodies;

/**
 * Admin credit operations and a user's ledger, for the admin API ({@link CreditController}) and the console: one
 * implementation of the rules. {@code ref} is an idempotency key: the same ref again answers the entry it created
 * (replayed) when the request is the same, and 409 when it differs. Only ADMIN_ADJUST may be negative, and only down
 * to available credit 0; when the credit it needs is held by gateways' leases, it recalls them first
 * ({@link LeaseService#recall}: the leases shrink to what is in use on their next refresh) and waits up to
 * {@code credits.leases.recall-wait} for it.
 */
@Service
public class CreditService {

    public static final List<String> ADMIN_TYPES = List.of("RECHARGE", "BONUS", "ADMIN_ADJUST", "REFUND");
    private static final String REF_PREFIX = "credit:";
    private static final String AUTO_PREFIX = "auto:";

    private final Sql sql;
    private final Ledger ledger;
    private final TransactionTemplate tx;
    private final LeaseService leases;
    private final java.time.Duration recallWait;

    CreditService(Sql sql, Ledger ledger, TransactionTemplate tx, LeaseService leases, CreditsProperties props) {
        this.sql = sql;
        this.ledger = ledger;
        this.tx = tx;
        this.leases = leases;
        this.recallWait = props.leases().recallWait();
    }

    /** A ledger entry, amounts in credits. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EntryView(long id, String userId, String type, BigDecimal amount, BigDecimal balanceAfter, String ref,
                            String desc, String keyId, String holdId, String eventId, String leaseId, String createdAt) {
    }

    public record Page<T>(List<T> items, long total, int page, int pageSize) {
    }

    /** The entry a credit operation posted; {@code replayed} when its ref had been applied before. */
    public record Credited(EntryView entry, boolean replayed) {
    }

    /**
     * Posts an admin credit operation (type one of {@link #ADMIN_TYPES}, amount in credits, at most 6 decimals);
     * bad input and refusals as {@link dev.creditgate.credits.web.ApiException}, nothing posted.
     */
    public Credited credit(String id, String type, BigDecimal amount, String desc, String ref) {
        if (type == null || !ADMIN_TYPES.contains(type)) {
            throw ApiError.INVALID_REQUEST.exception("type: \"" + type + "\" (expected one of " + ADMIN_TYPES + ")");
        }
        if (amount == null || amount.abs().compareTo(Money.MAX_CREDITS) > 0) {
            throw ApiError.INVALID_REQUEST.exception("amount: " + (amount == null ? "missing" : amount.toPlainString())
                    + " (expected: " + Money.MAX_CREDITS.negate().toPlainString() + " .. " + Money.MAX_CREDITS.toPlainString() + ")");
        }
        if (amount.stripTrailingZeros().scale() > Money.SCALE) {
            throw ApiError.INVALID_REQUEST.exception("amount: " + amount.toPlainString() + " (expected at most 6 decimals)");
        }
        boolean negativeAllowed = type.equals("ADMIN_ADJUST");
        if (amount.signum() == 0 || (amount.signum() < 0 && !negativeAllowed)) {
            throw ApiError.INVALID_REQUEST.exception("amount: " + amount.toPlainString()
                    + (negativeAllowed ? " (expected: non-zero)" : " (expected: > 0; only ADMIN_ADJUST may be negative)"));
        }
        if (desc != null && (desc.isBlank() || desc.length() > 500)) {
            throw ApiError.INVALID_REQUEST.exception("desc: expected 1..500 characters, got " + desc.length());
        }
        if (ref != null && (ref.isBlank() || ref.length() > 128)) {
            throw ApiError.INVALID_REQUEST.exception("ref: expected 1..128 characters, got " + ref.length());
        }
        long micros = Money.creditsToMicros(amount);
        requireUser(id);
        // entries without a client ref get an internal one, so the answer can read back exactly this entry
        String storedRef = ref == null ? AUTO_PREFIX + java.util.UUID.randomUUID() : REF_PREFIX + ref;
        if (ref != null) {
            Optional<Credited> replay = replay(storedRef, id, type, micros);
            if (replay.isPresent()) {
                return replay.get();
            }
        }
        Ledger.Entry entry = new Ledger.Entry(id, EntryType.valueOf(type), micros, storedRef, desc, null, null, null);
        Ledger.Posted posted;
        try {
            posted = tx.execute(s -> ledger.post(entry, 0, micros < 0));
            if (posted == null) {
                // credit held by gateways' leases: recall it (their refreshes shrink the leases) and try again
                LeaseService.Recall<Ledger.Posted> recall = leases.recall(id, () -> tx.execute(s -> ledger.post(entry, 0, true)));
                posted = recall.posted();
                if (posted == null && recall.waited()) {
                    throw ApiError.CONFLICT.exception("amount: " + amount.toPlainString()
                            + " would take the available credit below 0: " + Money.toCredits(recall.heldByLeases())
                            .toPlainString() + " credits are held by leases of gateway instances that did not return"
                            + " them within " + recallWait.toMillis() + " ms");
                }
            }
        } catch (DuplicateKeyException race) {
            return replay(storedRef, id, type, micros).orElseThrow(() -> race);
        }
        if (posted == null) {
            throw ApiError.CONFLICT.exception("amount: " + amount.toPlainString()
                    + " would take the available credit below 0");
        }
        return new Credited(findByRef(id, storedRef).orElseThrow(), false);
    }

    private Optional<Credited> replay(String storedRef, String userId, String type, long micros) {
        return findByRef(userId, storedRef).map(existing -> {
            if (!existing.type().equals(type)
                    || Money.creditsToMicros(existing.amount()) != micros) {
                throw ApiError.CONFLICT.exception("ref: already used by a different credit operation");
            }
            return new Credited(existing, true);
        });
    }

    /** A user's ledger, newest first; page from 1, pageSize 1..100. */
    public Page<EntryView> transactions(String id, int page, int pageSize) {
        if (page < 1 || page > 1_000_000 || pageSize < 1 || pageSize > 100) {
            throw ApiError.INVALID_REQUEST.exception("page: " + page + ", pageSize: " + pageSize
                    + " (expected: page >= 1, pageSize 1..100)");
        }
        requireUser(id);
        long total = sql.jdbc().sql("SELECT COUNT(*) FROM ledger_entries WHERE user_id = :id").param("id", id)
                .query(Long.class).single();
        List<EntryView> items = sql.jdbc().sql(SELECT + " WHERE user_id = :id ORDER BY id DESC LIMIT :n OFFSET :o")
                .param("id", id).param("n", pageSize).param("o", (long) (page - 1) * pageSize)
                .query(CreditService::row).list();
        return new Page<>(items, total, page, pageSize);
    }

    private void requireUser(String id) {
        if (!RequestBodies.isUuid(id) || sql.jdbc().sql("SELECT COUNT(*) FROM users WHERE id = :id").param("id", id)
                .query(Long.class).single() == 0) {
            throw ApiError.NOT_FOUND.exception("user not found: " + id);
        }
    }

    private static final String SELECT = "SELECT id, user_id, type, amount, balance_after, ref, description, key_id, hold_id, "
            + "event_id, created_at_ms, lease_id FROM ledger_entries";

    /** Refs are the user's own (unique per user, security review finding 14). */
    private Optional<EntryView> findByRef(String userId, String ref) {
        return sql.jdbc().sql(SELECT + " WHERE user_id = :u AND ref = :ref").param("u", userId).param("ref", ref)
                .query(CreditService::row).optional();
    }

    private static EntryView row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        String ref = rs.getString(6);
        if (ref != null && ref.startsWith(REF_PREFIX)) {
            ref = ref.substring(REF_PREFIX.length());
        } else if (ref != null && ref.startsWith(AUTO_PREFIX)) {
            ref = null;
        }
        return new EntryView(rs.getLong(1), rs.getString(2), rs.getString(3), Money.toCredits(rs.getLong(4)),
                Money.toCredits(rs.getLong(5)), ref, rs.getString(7), rs.getString(8), rs.getString(9),
                rs.getString(10), rs.getString(12), Instant.ofEpochMilli(rs.getLong(11)).toString());
    }
}
