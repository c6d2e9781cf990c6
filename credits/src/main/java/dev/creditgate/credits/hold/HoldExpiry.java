package dev.creditgate.credits.hold;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.metrics.CreditMetrics;

/**
 * PENDING -> EXPIRED for holds whose TTL passed, giving their reservation back in {@code users.held}: one hold
 * ({@link #expireOne}), every due hold of a user (a grant or a lease that does not fit tries again after it), or a
 * page of due holds (the sweeper). Each is a conditional update only one path wins.
 */
@Component
public class HoldExpiry {

    private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);

    private final Sql sql;
    private final TransactionTemplate tx;
    private final CreditMetrics metrics;

    HoldExpiry(Sql sql, TransactionTemplate tx, CreditMetrics metrics) {
        this.sql = sql;
        this.tx = tx;
        this.metrics = metrics;
    }

    /** Finalises every pending hold of this user whose TTL has passed; how many it finalised. */
    public int expireForUser(String userId, long now) {
        return expireAll(sql.jdbc().sql("SELECT " + Hold.COLUMNS + " FROM holds WHERE user_id = :u AND status = 'PENDING'"
                + " AND expires_at_ms <= :now").param("u", userId).param("now", now).query(Hold::map).list(), now);
    }

    /** Finalises up to {@code limit} pending holds whose TTL has passed (the sweeper); how many it finalised. */
    int expireDue(long now, int limit) {
        return expireAll(sql.jdbc().sql("SELECT " + Hold.COLUMNS + " FROM holds WHERE status = 'PENDING'"
                        + " AND expires_at_ms <= :now ORDER BY expires_at_ms LIMIT :n")
                .param("now", now).param("n", limit).query(Hold::map).list(), now);
    }

    private int expireAll(List<Hold> due, long now) {
        int n = 0;
        for (Hold h : due) {
            n += expireOne(h, now) ? 1 : 0;
        }
        if (n > 0) {
            metrics.expired(n);
            log.debug("expired {} holds", n);
        }
        return n;
    }

    /**
     * PENDING -> EXPIRED, giving the reservation back; false when another path finalised it first or an extension
     * moved its expiry past {@code now} since it was read.
     */
    boolean expireOne(Hold h, long now) {
        Boolean done = tx.execute(status -> {
            int n = sql.jdbc().sql("UPDATE holds SET status = 'EXPIRED', finalized_at_ms = :now, outcome = 'EXPIRED'"
                    + " WHERE id = :id AND status = 'PENDING' AND expires_at_ms <= :now")
                    .param("now", now).param("id", h.id()).update();
            if (n == 1) {
                sql.jdbc().sql("UPDATE users SET held = held - :a WHERE id = :u").param("a", h.amount())
                        .param("u", h.userId()).update();
            }
            return n == 1;
        });
        return Boolean.TRUE.equals(done);
    }
}
