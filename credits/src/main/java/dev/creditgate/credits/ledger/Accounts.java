package dev.creditgate.credits.ledger;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import dev.creditgate.credits.db.Sql;

/**
 * A user's credit as the outside world sees it. One statement (one snapshot): posted balance, the held column,
 * and the pending holds and ACTIVE leases whose TTL has passed but that the sweeper has not finalised yet, which
 * stop counting at once: {@code held = users.held - expiredUnswept}, {@code available = balance - held}.
 */
@Component
public class Accounts {

    private final Sql sql;

    public Accounts(Sql sql) {
        this.sql = sql;
    }

    /** Micro-credit amounts of one user at {@code nowMs}. */
    public record State(String userId, long balance, long held) {
        public long available() {
            return balance - held;
        }

        public long debt() {
            return balance < 0 ? -balance : 0;
        }
    }

    public Optional<State> state(String userId, long nowMs) {
        return read(userId, nowMs, "").map(r -> new State(userId, r.balance(), r.held() - r.expired()));
    }

    /**
     * The user's row as it is ({@code held} = the column), plus what its expired but unswept holds and leases still
     * count in it; {@link #state} is {@code held - expired}.
     */
    public record Row(long balance, long held, long expired) {
    }

    /**
     * Reads the user's row and locks it until the caller's transaction ends ({@code SELECT .. FOR UPDATE}): what it
     * answers stays true until then. For a caller that computes several changes of the user at once.
     */
    public Optional<Row> lock(String userId, long nowMs) {
        return read(userId, nowMs, " FOR UPDATE");
    }

    /** {@link #lock} as a statement of {@link Sql#run} (its rows: no {@link Row} or one). */
    public Sql.Step lockStep(String userId, long nowMs) {
        return Sql.Step.query(STATE + " FOR UPDATE", List.of(nowMs, nowMs, userId), ROW);
    }

    private Optional<Row> read(String userId, long nowMs, String suffix) {
        return sql.jdbc().sql(STATE + suffix).params(List.of(nowMs, nowMs, userId)).query(ROW).optional();
    }

    private static final String STATE = """
            SELECT u.balance, u.held,
                   (SELECT COALESCE(SUM(h.amount), 0) FROM holds h
                     WHERE h.user_id = u.id AND h.status = 'PENDING' AND h.expires_at_ms <= ?)
                 + (SELECT COALESCE(SUM(l.amount), 0) FROM leases l
                     WHERE l.user_id = u.id AND l.status = 'ACTIVE' AND l.expires_at_ms <= ?) AS expired
              FROM users u WHERE u.id = ?""";

    private static final RowMapper<Row> ROW = (rs, n) -> new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3));
}
