package dev.creditgate.gateway.channel.health;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The status changes of channel health, each one conditional statement, so that several instances sharing the
 * database agree: only an enabled channel is disabled automatically, only an automatically disabled one re-enabled,
 * and a probe is claimed by one instance per interval.
 */
@Repository
class HealthRepository {

    static final int ENABLED = 1;
    static final int AUTO_DISABLED = 3;

    private final JdbcClient jdbc;

    HealthRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Status 1 -> 3 with the reason; the probe is due one interval after {@code now}. */
    boolean disable(long id, String reason, long nowSeconds) {
        return jdbc.sql("""
                UPDATE channels SET status = 3, status_reason = ?, status_time = ?, test_time = ?
                WHERE id = ? AND status = 1""")
                .params(reason, nowSeconds, nowSeconds, id).update() == 1;
    }

    /** Auto-disabled channels whose last test is at or before {@code dueBefore} (epoch seconds). */
    List<Long> due(long dueBefore) {
        return jdbc.sql("SELECT id FROM channels WHERE status = 3 AND test_time <= ? ORDER BY id")
                .param(dueBefore).query(Long.class).list();
    }

    /** Claims the probe of a due channel for this instance: false when another one took it (or it changed). */
    boolean claim(long id, long dueBefore, long nowSeconds) {
        return jdbc.sql("UPDATE channels SET test_time = ? WHERE id = ? AND status = 3 AND test_time <= ?")
                .params(nowSeconds, id, dueBefore).update() == 1;
    }

    /** Status 3 -> 1 after a probe answered; the reason says so. */
    boolean enable(long id, String reason, long nowSeconds, int responseMillis) {
        return jdbc.sql("""
                UPDATE channels SET status = 1, status_reason = ?, status_time = ?, response_time = ?
                WHERE id = ? AND status = 3""")
                .params(reason, nowSeconds, responseMillis, id).update() == 1;
    }

    /** A failed probe: the channel stays disabled, the reason names the latest failure. */
    void probeFailed(long id, String reason, int responseMillis) {
        jdbc.sql("UPDATE channels SET status_reason = ?, response_time = ? WHERE id = ? AND status = 3")
                .params(reason, responseMillis, id).update();
    }
}
