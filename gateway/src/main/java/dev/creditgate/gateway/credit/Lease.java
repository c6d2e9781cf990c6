package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This instance's share of one user's credit (SPEC 4.4): the unspent amount the platform holds for the lease
 * ({@code granted}), and what this instance has promised out of it. A request is admitted locally, under a lock,
 * only when its worst case fits:
 *
 * <pre>  reserved (worst cases of running requests) + unsettled (costs not yet settled) + worst  <=  limit</pre>
 *
 * where {@code limit} is {@code granted}, lowered to the {@code cap} of a refresh in flight (what is in use plus two
 * of the largest requests). A refresh tells the platform the cap as the credit in use, so a lease the platform
 * shrinks (recall, draining, a lower size wanted) never goes below what this instance may have admitted meanwhile;
 * every answer then replaces {@code granted}. Calls to the platform for
 * one lease (refresh, settle, release) are serialised by {@link #io}, so the last answer applied is the platform's
 * latest state. Amounts are exact USD.
 */
final class Lease {

    final String leaseId;
    final String userId;
    /** Held across one platform call for this lease (refresh, settle, release); never by a request thread. */
    final ReentrantLock io = new ReentrantLock();

    private final ReentrantLock lock = new ReentrantLock();
    private BigDecimal granted;
    private BigDecimal reserved = BigDecimal.ZERO;
    private BigDecimal unsettled = BigDecimal.ZERO;
    private BigDecimal cap;
    private long usableUntilMs;
    private boolean gone;
    private boolean recalled;
    private BigDecimal admittedSinceRefresh = BigDecimal.ZERO;
    private BigDecimal largestWorst = BigDecimal.ZERO;
    private long lastAdmitMs;
    private long windowStartMs;
    private final Map<String, BigDecimal> pendingCosts = new HashMap<>();
    private final Set<String> keysUsed = ConcurrentHashMap.newKeySet();
    private volatile Set<String> disabledKeys = Set.of();

    Lease(String leaseId, String userId, BigDecimal grantedUsd, long usableUntilMs, long nowMs) {
        this.leaseId = leaseId;
        this.userId = userId;
        this.granted = grantedUsd;
        this.usableUntilMs = usableUntilMs;
        this.lastAdmitMs = nowMs;
        this.windowStartMs = nowMs;
    }

    /** Admits a request's worst case locally; false when it does not fit (the caller falls back to a hold). */
    boolean tryReserve(String keyId, BigDecimal worst, long nowMs) {
        if (disabledKeys.contains(keyId)) {
            return false;
        }
        lock.lock();
        try {
            if (gone || nowMs >= usableUntilMs) {
                return false;
            }
            BigDecimal limit = cap == null ? granted : cap.min(granted);
            BigDecimal after = reserved.add(unsettled).add(worst);
            if (after.compareTo(limit) > 0) {
                return false;
            }
            reserved = reserved.add(worst);
            admittedSinceRefresh = admittedSinceRefresh.add(worst);
            if (worst.compareTo(largestWorst) > 0) {
                largestWorst = worst;
            }
            lastAdmitMs = nowMs;
        } finally {
            lock.unlock();
        }
        keysUsed.add(keyId);
        return true;
    }

    /**
     * A request of this lease's user that did not fit (it took a per-request hold): it counts in the spending rate the
     * next refresh sizes the lease for.
     */
    void missed(BigDecimal worst) {
        lock.lock();
        try {
            admittedSinceRefresh = admittedSinceRefresh.add(worst);
            if (worst.compareTo(largestWorst) > 0) {
                largestWorst = worst;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A request admitted by {@link #tryReserve} ended: its worst case is no longer reserved, and {@code cost} (0 when
     * nothing is owed) waits for its settlement under {@code eventId}.
     */
    void finish(String eventId, BigDecimal worst, BigDecimal cost) {
        lock.lock();
        try {
            reserved = reserved.subtract(worst).max(BigDecimal.ZERO);
            if (cost.signum() > 0) {
                unsettled = unsettled.add(cost);
                pendingCosts.merge(eventId, cost, BigDecimal::add);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The platform settled these events (charged now or before) and holds {@code grantedUsd} for the lease now. */
    void settled(List<String> eventIds, BigDecimal grantedUsd, boolean active) {
        lock.lock();
        try {
            for (String e : eventIds) {
                BigDecimal c = pendingCosts.remove(e);
                if (c != null) {
                    unsettled = unsettled.subtract(c).max(BigDecimal.ZERO);
                }
            }
            granted = grantedUsd;
            gone |= !active;
        } finally {
            lock.unlock();
        }
    }

    /** What a refresh asks: the size wanted, the credit in use (the cap admissions keep to until the answer). */
    record RefreshAsk(BigDecimal wantUsd, BigDecimal minUsd, BigDecimal inUseUsd, List<String> keyIds,
                      BigDecimal ratePerRefresh, boolean idle) {
    }

    /**
     * Starts a refresh: sizes the lease ({@code horizonMs} of the spending rate, at least
     * {@code minRequests} of the largest request seen, twice; nothing while recalled, idle or when {@code giveBack}:
     * the unused credit returns to the user) and caps admissions at what is in use plus two of the largest requests
     * until {@link #refreshed} or {@link #refreshFailed}.
     */
    RefreshAsk beginRefresh(long nowMs, long idleMs, long horizonMs, int minRequests, boolean giveBack) {
        lock.lock();
        try {
            BigDecimal inUse = reserved.add(unsettled);
            boolean idle = giveBack || nowMs - lastAdmitMs >= idleMs;
            // the spending of the window since the last refresh, scaled to the horizon (refreshes come early when
            // requests miss the lease: the window is then short, and is counted as at least 100 ms)
            long window = Math.max(100, nowMs - windowStartMs);
            BigDecimal rate = admittedSinceRefresh;
            BigDecimal min = largestWorst.multiply(BigDecimal.valueOf(minRequests));
            BigDecimal want = recalled || idle ? BigDecimal.ZERO
                    : rate.multiply(BigDecimal.valueOf(horizonMs)).divide(BigDecimal.valueOf(window), 12,
                    java.math.RoundingMode.UP).max(min.add(min));
            windowStartMs = nowMs;
            // during the call at most two more of the largest requests are admitted (the platform keeps that much);
            // none when the credit is to go back (give back, recalled, idle): the lease then shrinks to what is in use
            boolean shrink = giveBack || recalled || idle;
            cap = granted.min(shrink ? inUse : inUse.add(largestWorst).add(largestWorst));
            admittedSinceRefresh = BigDecimal.ZERO;
            Set<String> keys = new java.util.HashSet<>(keysUsed);
            keys.addAll(disabledKeys);
            keysUsed.clear();
            return new RefreshAsk(want, recalled || idle ? BigDecimal.ZERO : min, cap, List.copyOf(keys), rate, idle);
        } finally {
            lock.unlock();
        }
    }

    /** A refresh answer: the platform holds {@code grantedUsd} now. */
    void refreshed(BigDecimal grantedUsd, boolean active, boolean recalled, Set<String> disabled,
                   long usableUntilMs) {
        lock.lock();
        try {
            granted = grantedUsd;
            cap = null;
            gone |= !active;
            this.recalled = recalled;
            this.usableUntilMs = usableUntilMs;
            this.disabledKeys = Set.copyOf(disabled);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A refresh without an answer: the platform may or may not have shrunk the lease to the cap, so assume it did
     * (credit it granted beyond that is only unused; the next answer says).
     */
    void refreshFailed() {
        lock.lock();
        try {
            if (cap != null) {
                granted = granted.min(cap);
                cap = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The lease ended at the platform (released, expired, unknown): admit nothing more. */
    void end() {
        lock.lock();
        try {
            gone = true;
        } finally {
            lock.unlock();
        }
    }

    boolean gone() {
        lock.lock();
        try {
            return gone;
        } finally {
            lock.unlock();
        }
    }

    /** Nothing running and nothing waiting for settlement. */
    boolean quiet() {
        lock.lock();
        try {
            return reserved.signum() == 0 && unsettled.signum() == 0;
        } finally {
            lock.unlock();
        }
    }

    boolean recalled() {
        lock.lock();
        try {
            return recalled;
        } finally {
            lock.unlock();
        }
    }

    /** For tests and metrics: granted, reserved, unsettled. */
    BigDecimal[] amounts() {
        lock.lock();
        try {
            return new BigDecimal[] {granted, reserved, unsettled};
        } finally {
            lock.unlock();
        }
    }
}
