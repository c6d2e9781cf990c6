package dev.creditgate.credits.hold;

import java.time.Clock;
import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.lease.LeaseService;

/**
 * Makes holds and leases whose TTL passed final (EXPIRED) every {@code credits.holds.sweep-interval}. Until then
 * they already do not count (see {@code Accounts}); the sweep gives their reservation back in {@code users.held}.
 * Safe on several instances: each hold or lease is finalised by a conditional update that only one of them wins.
 */
@Component
class HoldSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HoldSweeper.class);
    static final int BATCH = 500;

    private final HoldExpiry holds;
    private final LeaseService leases;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final CreditsProperties.Holds props;
    private volatile ScheduledFuture<?> task;

    HoldSweeper(HoldExpiry holds, LeaseService leases, TaskScheduler scheduler, Clock clock, CreditsProperties props) {
        this.holds = holds;
        this.leases = leases;
        this.scheduler = scheduler;
        this.clock = clock;
        this.props = props.holds();
    }

    /** One sweep; how many holds and leases it made final. */
    int sweep() {
        int total = 0;
        int n;
        do {
            n = holds.expireDue(clock.millis(), BATCH);
            total += n;
        } while (n == BATCH);
        do {
            n = leases.expireDue(clock.millis(), BATCH);
            total += n;
        } while (n == BATCH);
        leases.forgetStaleRecalls(clock.millis());
        return total;
    }

    @Override
    public void start() {
        task = scheduler.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (RuntimeException e) {
                log.warn("hold sweep failed: {}", e.toString());
            }
        }, props.sweepInterval());
    }

    @Override
    public void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        task = null;
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }
}
