package dev.creditgate.gateway.ratelimit;

/**
 * One rate: at most {@code limit} units per {@code window}, as the generic cell rate algorithm (GCRA) keeps it,
 * a token bucket of capacity {@code limit} refilled evenly over the window, stored as one number: the theoretical
 * arrival time {@code tat} (nanoseconds). Each unit moves it {@code window / limit} ahead; a take is allowed while
 * {@code tat} stays within one window of now. {@link #add} moves it without a check (tokens counted after the
 * answer), so a bucket can go into debt and then refuses until the debt has drained.
 *
 * <p>When the limit or the window changes (an option was changed), the bucket starts again full. Thread-safe; one
 * lock per bucket, held for a few arithmetic operations.
 */
final class Gcra {

    static final long MAX_DEBT_WINDOWS = 100;

    private long tat = Long.MIN_VALUE;
    private long limit;
    private long window;

    /** Takes {@code cost} units if the rate allows: 0 when taken, else the nanoseconds until it would be. */
    synchronized long tryTake(long now, long cost, long limit, long window) {
        configure(limit, window);
        long next = Math.max(tat, now) + increment(cost);
        long wait = next - now - window;
        if (wait > 0) {
            return wait;
        }
        tat = next;
        return 0;
    }

    /** 0 when at least one unit is free now (nothing is taken), else the nanoseconds until one is. */
    synchronized long waitForOne(long now, long limit, long window) {
        configure(limit, window);
        return Math.max(0, Math.max(tat, now) + increment(1) - now - window);
    }

    /**
     * Takes {@code cost} units whether or not the rate allows (the bucket may go into debt, of at most
     * {@value #MAX_DEBT_WINDOWS} windows: beyond that it refuses alike, and the bound keeps the arithmetic exact).
     */
    synchronized void add(long now, long cost, long limit, long window) {
        configure(limit, window);
        tat = Math.min(Math.max(tat, now) + increment(cost), now + MAX_DEBT_WINDOWS * window);
    }

    /** Undoes a {@link #tryTake} of {@code cost} (a later check refused the request). */
    synchronized void giveBack(long cost, long limit, long window) {
        if (limit == this.limit && window == this.window && tat != Long.MIN_VALUE) {
            tat -= increment(cost);
        }
    }

    private void configure(long limit, long window) {
        if (limit != this.limit || window != this.window) {
            this.limit = limit;
            this.window = window;
            this.tat = Long.MIN_VALUE;
        }
    }

    /** {@code cost * window / limit}; a cost of more than ten windows' worth counts as ten windows. */
    private long increment(long cost) {
        if (cost <= 0) {
            return 0;
        }
        long units = Math.min(cost, limit * 10);
        try {
            return Math.multiplyExact(units, window) / limit;
        } catch (ArithmeticException e) {
            return window * 10;
        }
    }
}
