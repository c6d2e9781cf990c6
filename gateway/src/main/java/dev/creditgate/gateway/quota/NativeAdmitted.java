package dev.creditgate.gateway.quota;

import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.UsageReport;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted native request: {@code ADMITTED -> SETTLED | REFUNDED}, each transition once. Idempotent and
 * thread-safe: a second {@code settle} returns the first charge, {@code close} after {@code settle} does
 * nothing, {@code settle} after {@code close} charges nothing (the reservation is already back).
 */
final class NativeAdmitted implements Admitted {

    enum State { ADMITTED, SETTLED, REFUNDED }

    private static final Logger log = LoggerFactory.getLogger(NativeAdmitted.class);

    private final Reservation reservation;
    private final RequestPricing.Priced priced;
    private final String model;
    private final RequestPricing pricing;
    private final QuotaStore store;
    private final Counter overage;
    private final Counter failures;
    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.ADMITTED;
    private RequestPricing.Charge charge;
    private UsageReport chargedUsage;
    private long charged;

    NativeAdmitted(Reservation reservation, RequestPricing.Priced priced, String model, RequestPricing pricing,
                   QuotaStore store, Counter overage, Counter failures) {
        this.reservation = reservation;
        this.priced = priced;
        this.model = model;
        this.pricing = pricing;
        this.store = store;
        this.overage = overage;
        this.failures = failures;
    }

    @Override
    public long estimatedQuota() {
        return reservation.quota();
    }

    /**
     * Charges what the request cost ({@link RequestPricing#charge}) and gives the rest of the reservation back,
     * or takes the overage. If the database refuses the write, the reservation stays taken and is what this
     * returns: the log row then matches the balances.
     */
    @Override
    public long settle(UsageReport usage) {
        lock.lock();
        try {
            if (state == State.SETTLED) {
                return charged;
            }
            if (state == State.REFUNDED) {
                log.warn("token {}: settle after the reservation was refunded; nothing charged", reservation.tokenId());
                return 0;
            }
            state = State.SETTLED;
            charge = pricing.charge(priced, model, usage);
            if (charge.basis() != RequestPricing.Basis.NOTHING_DELIVERED) {
                chargedUsage = charge.asChargedUsage(usage);
            }
            try {
                store.settle(reservation, charge.quota());
                charged = charge.quota();
                if (charged > reservation.quota()) {
                    overage.increment(charged - reservation.quota());
                }
            } catch (RuntimeException e) {
                failures.increment();
                charged = reservation.quota();
                log.error("token {}: settlement of {} quota (reserved {}) failed; the reservation stays charged",
                        reservation.tokenId(), charge.quota(), reservation.quota(), e);
            }
            return charged;
        } finally {
            lock.unlock();
        }
    }

    /** The tokens the settlement charged for (see {@link Admitted#chargedUsage}); null before it or when nothing was charged. */
    @Override
    public UsageReport chargedUsage() {
        lock.lock();
        try {
            return chargedUsage;
        } finally {
            lock.unlock();
        }
    }

    /** Refunds the whole reservation unless settled. Never throws. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state != State.ADMITTED) {
                return;
            }
            state = State.REFUNDED;
            try {
                store.refund(reservation);
            } catch (RuntimeException e) {
                failures.increment();
                log.error("token {}: refund of {} quota failed; the reservation stays charged",
                        reservation.tokenId(), reservation.quota(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** The charge computed at settlement (tokens and basis), or null before. */
    RequestPricing.Charge charge() {
        lock.lock();
        try {
            return charge;
        } finally {
            lock.unlock();
        }
    }
}
