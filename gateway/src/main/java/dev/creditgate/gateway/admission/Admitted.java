package dev.creditgate.gateway.admission;

/**
 * An admitted request: a small state machine {@code admitted -> settled | released}. The relay calls
 * {@link #settle} at most once, when an upstream answered with success, and {@link #close} always, in a
 * {@code finally}. Implementations must be safe against {@code close} without {@code settle} (release the
 * reservation), {@code close} after {@code settle} (no-op) and a second {@code close} (no-op).
 */
public interface Admitted extends AutoCloseable {

    /** The quota reserved at admission (0 when nothing was reserved); logged with the request. */
    long estimatedQuota();

    /**
     * Charges the actual cost and releases the rest of the reservation.
     *
     * @return what was charged (quota, exact USD, the tokens charged for); written into the log row
     */
    Settled settle(UsageReport usage);

    /**
     * The output-token limit the relay must send upstream instead of the request's own: the limit the reservation
     * covers (lowered to what the credit affords, or the assumed default when the request named none), so that an
     * upstream that honours it cannot cost more than was reserved. Null (the default): forward the request's limit
     * unchanged.
     */
    default Integer outputLimit() {
        return null;
    }

    /** Releases the reservation if {@link #settle} was not called. Never throws. */
    @Override
    void close();
}
