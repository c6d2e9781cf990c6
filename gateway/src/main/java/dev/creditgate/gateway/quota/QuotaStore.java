package dev.creditgate.gateway.quota;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.creditgate.gateway.db.GroupCommit;
import dev.creditgate.gateway.usage.BalanceRefund;
import dev.creditgate.gateway.usage.LogWriter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Native quota balances in the database: reserve, settle by delta, refund.
 *
 * <p>The guarantee (no overdraw, whatever the concurrency, across gateway instances) rests on the
 * two conditional debits below, and on nothing else: no read-then-write, no in-memory cache, no
 * "enough balance, skip the reservation" shortcut. Each runs as one atomic {@code UPDATE ... WHERE
 * balance >= :q}; both run in one transaction, so a refused user debit undoes the token debit.
 * Every transaction touches rows in the same order (tokens, then users, each in id order), so two transactions
 * never wait on each other in a cycle.
 *
 * <p>Group commit ({@link GroupCommit}): reservations that arrive while another one's transaction runs share the
 * next transaction, so a commit, a connection and the token's and user's row locks serve several requests. Inside
 * it, each reservation still runs its own two conditional debits (all token debits first, in token id order, then
 * all user debits, in user id order; a refused user debit gives its token debit back in the same transaction). A
 * reservation refused inside a batch is asked again alone, after the batch, so that what it is told (and its
 * refusal) is exactly what it would have been without batching. A lone request runs alone, as before.
 *
 * <p>Giving back (a settlement below the reservation, a release) only raises balances, so it may be late without
 * letting anything overdraw: with a {@link LogWriter} it is queued there and written with the next batch of log
 * rows, in their transaction ({@link LogWriter#refundLater}). A reservation refused while refunds are pending
 * waits for them and asks once more, so a refusal never comes from a refund not yet written. A charge above the
 * reservation (debt) is written at once, so that it refuses the very next reservation.
 */
@Component
class QuotaStore {

    /** Guarantee 1: the token's remaining quota never goes below zero by a reservation. */
    private static final String RESERVE_TOKEN = """
            UPDATE tokens SET remain_quota = remain_quota - :q
             WHERE id = :id AND remain_quota >= :q""";

    /** Guarantee 2: the user's quota never goes below zero by a reservation. */
    private static final String RESERVE_USER = """
            UPDATE users SET quota = quota - :q
             WHERE id = :id AND quota >= :q""";

    /**
     * Settlement: {@code :delta = actual - reserved}; negative gives the unused part back, positive charges the
     * overage, unconditionally (the request was served; a balance below zero is the recorded debt, and it
     * refuses the next reservation). See QUOTA.md "Choices".
     */
    private static final String SETTLE_TOKEN = "UPDATE tokens SET remain_quota = remain_quota - :delta WHERE id = :id";

    private static final String SETTLE_USER = "UPDATE users SET quota = quota - :delta WHERE id = :id";

    /** {@code tokens.user_id} of a token without a gateway user: only the token's own quota bounds it. */
    static final long NO_USER = 0;

    /** The longest a refused reservation waits for pending refunds before it is refused. */
    static final Duration REFUND_WAIT = Duration.ofSeconds(2);

    /** Gives a token debit back when its user's debit was refused in the same batch transaction. */
    private static final String UNDO_TOKEN = "UPDATE tokens SET remain_quota = remain_quota + :q WHERE id = :id";

    /** The most reservations in one transaction. */
    static final int MAX_BATCH = 64;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final LogWriter refunds;
    private final GroupCommit<Reservation, ReserveOutcome> reservations;

    /** Every settlement and refund written at once, in a transaction of its own. */
    QuotaStore(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
        this(jdbc, transactionManager, null, MAX_BATCH, null);
    }

    /**
     * @param refunds where refunds are queued to be written with the log rows; null: written at once
     * @param metrics where the sizes of shared reservation transactions go ({@code gateway.quota.reserve.batch})
     */
    @Autowired
    QuotaStore(JdbcClient jdbc, PlatformTransactionManager transactionManager, LogWriter refunds,
               MeterRegistry metrics) {
        this(jdbc, transactionManager, refunds, MAX_BATCH, metrics);
    }

    /** @param maxBatch most reservations in one transaction; 1: each alone */
    QuotaStore(JdbcClient jdbc, PlatformTransactionManager transactionManager, LogWriter refunds, int maxBatch,
               MeterRegistry metrics) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.refunds = refunds;
        DistributionSummary sizes = metrics == null ? null : DistributionSummary.builder("gateway.quota.reserve.batch")
                .description("reservations sharing one transaction (group commit), batches of two or more")
                .register(metrics);
        this.reservations = new GroupCommit<>(maxBatch, this::debit, this::debitAll,
                sizes == null ? n -> { } : sizes::record);
    }

    /**
     * Takes {@code quota} from the token (unless it is unlimited) and from its user (unless it has none,
     * {@link #NO_USER}), both or neither. A zero amount (a free model) touches no row and always succeeds.
     */
    ReserveOutcome reserve(long tokenId, boolean tokenUnlimited, long userId, long quota) {
        Reservation reservation = new Reservation(tokenId, tokenUnlimited, userId, quota);
        if (quota == 0) {
            return ReserveOutcome.reserved(reservation);
        }
        ReserveOutcome outcome = reservations.run(reservation);
        if (outcome.status() != ReserveOutcome.Status.RESERVED && refunds != null
                && refunds.awaitRefunds(REFUND_WAIT)) {
            outcome = debit(reservation); // a pending refund may have made room
        }
        return outcome;
    }

    /** One reservation in a transaction of its own: token, then user. */
    private ReserveOutcome debit(Reservation reservation) {
        long tokenId = reservation.tokenId();
        long userId = reservation.userId();
        long quota = reservation.quota();
        boolean tokenUnlimited = reservation.tokenUnlimited();
        return tx.execute(status -> {
            if (!tokenUnlimited && jdbc.sql(RESERVE_TOKEN).param("q", quota).param("id", tokenId).update() != 1) {
                return ReserveOutcome.refused(ReserveOutcome.Status.TOKEN_QUOTA_SHORT, tokenRemaining(tokenId));
            }
            if (userId != NO_USER && jdbc.sql(RESERVE_USER).param("q", quota).param("id", userId).update() != 1) {
                long remaining = userRemaining(userId);
                status.setRollbackOnly(); // undo the token debit
                return ReserveOutcome.refused(ReserveOutcome.Status.USER_QUOTA_SHORT, remaining);
            }
            return ReserveOutcome.reserved(reservation);
        });
    }

    /**
     * Several reservations in one transaction: every token debit (in token id order), then every user debit (in
     * user id order); a refused user debit gives its token debit back. Refused ones come back null (asked again
     * alone), admitted ones as {@link ReserveOutcome#reserved}.
     */
    private List<ReserveOutcome> debitAll(List<Reservation> batch) {
        return tx.execute(status -> {
            int n = batch.size();
            boolean[] refused = new boolean[n];
            boolean[] tokenDebited = new boolean[n];
            List<Integer> order = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingLong(i -> batch.get(i).tokenId()));
            for (int i : order) {
                Reservation r = batch.get(i);
                if (!r.tokenUnlimited()) {
                    tokenDebited[i] = jdbc.sql(RESERVE_TOKEN).param("q", r.quota()).param("id", r.tokenId()).update() == 1;
                    refused[i] = !tokenDebited[i];
                }
            }
            order.sort(Comparator.comparingLong(i -> batch.get(i).userId()));
            for (int i : order) {
                Reservation r = batch.get(i);
                if (!refused[i] && r.userId() != NO_USER
                        && jdbc.sql(RESERVE_USER).param("q", r.quota()).param("id", r.userId()).update() != 1) {
                    refused[i] = true;
                }
            }
            order.sort(Comparator.comparingLong(i -> batch.get(i).tokenId()));
            for (int i : order) { // rows this transaction already holds: no new lock
                Reservation r = batch.get(i);
                if (refused[i] && tokenDebited[i]) {
                    jdbc.sql(UNDO_TOKEN).param("q", r.quota()).param("id", r.tokenId()).update();
                }
            }
            List<ReserveOutcome> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(refused[i] ? null : ReserveOutcome.reserved(batch.get(i)));
            }
            return out;
        });
    }

    /**
     * Replaces the reservation by the actual cost. Only the balances change here: {@code used_quota} and
     * {@code request_count} of tokens, users and channels are added by the log writer, from the log row that
     * carries the same quota (see the admission package documentation). Below the reservation the difference is
     * queued as a refund when there is a log writer (written with the next batch of rows), else written at once.
     */
    void settle(Reservation reservation, long actual) {
        if (actual < 0) {
            throw new IllegalArgumentException("actual: " + actual + " (expected: >= 0)");
        }
        long delta = actual - reservation.quota();
        if (delta == 0) {
            return;
        }
        boolean token = !reservation.tokenUnlimited();
        boolean user = reservation.userId() != NO_USER;
        if (!token && !user) {
            return; // nothing was debited
        }
        if (delta < 0 && refunds != null && refunds.refundLater(new BalanceRefund(reservation.tokenId(),
                token ? -delta : 0, reservation.userId(), user ? -delta : 0))) {
            return;
        }
        tx.executeWithoutResult(status -> {
            if (token) {
                jdbc.sql(SETTLE_TOKEN).param("delta", delta).param("id", reservation.tokenId()).update();
            }
            if (user) {
                jdbc.sql(SETTLE_USER).param("delta", delta).param("id", reservation.userId()).update();
            }
        });
    }

    /** Gives the whole reservation back: a settlement at 0. */
    void refund(Reservation reservation) {
        settle(reservation, 0);
    }

    private long tokenRemaining(long tokenId) {
        return jdbc.sql("SELECT remain_quota FROM tokens WHERE id = :id").param("id", tokenId)
                .query(Long.class).optional().orElse(0L);
    }

    private long userRemaining(long userId) {
        return jdbc.sql("SELECT quota FROM users WHERE id = :id").param("id", userId)
                .query(Long.class).optional().orElse(0L);
    }
}
