package dev.creditgate.gateway.admission;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import dev.creditgate.gateway.pricing.RequestPricing;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted request, whatever holds its reservation: the state machine {@code ADMITTED -> SETTLED | RELEASED},
 * each transition once, under a lock. A second {@code settle} returns the first result, {@code close} after
 * {@code settle} does nothing, {@code close} twice releases once, {@code settle} after {@code close} charges nothing.
 * What the charge is comes from {@link RequestPricing#charge}; where it goes is the {@link Sink}'s business (the
 * native quota store, the usage outbox of the credit platform).
 */
public final class Settlement implements Admitted {

    /** Where a reservation lives and a charge is recorded. */
    public interface Sink {

        /**
         * Records the charge of a request that delivered something (replacing its reservation).
         *
         * @return what was recorded: {@link Settled#of} of the charge, or what stands instead (e.g. the estimate,
         *         when recovery charged it first)
         * @throws RuntimeException when it could not be recorded (the reservation stays; {@link #reserved} is logged)
         */
        Settled commit(RequestPricing.Charge charge);

        /** Gives the whole reservation back: nothing is charged. May throw on I/O. */
        void release();

        /** What stays charged when {@link #commit} or {@link #release} failed: the reservation itself. */
        Settled reserved();

        /** Names the reservation in log lines (no secret). */
        String describe();
    }

    /** Where the state machine is. */
    public enum State { ADMITTED, SETTLED, RELEASED }

    private static final Logger log = LoggerFactory.getLogger(Settlement.class);

    private final HoldPlan plan;
    private final String model;
    private final RequestPricing pricing;
    private final Sink sink;
    private final Counter overage;
    private final Counter failures;
    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.ADMITTED;
    private Settled settled;

    /**
     * @param overage  counts quota charged above the reservation (an upstream that ignored the limit)
     * @param failures counts charges and releases that could not be written
     */
    public Settlement(HoldPlan plan, String model, RequestPricing pricing, Sink sink, Counter overage,
                      Counter failures) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.model = model;
        this.pricing = Objects.requireNonNull(pricing, "pricing");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.overage = overage;
        this.failures = failures;
    }

    @Override
    public long estimatedQuota() {
        return plan.quota();
    }

    @Override
    public Integer outputLimit() {
        return plan.outputLimit();
    }

    public HoldPlan plan() {
        return plan;
    }

    @Override
    public Settled settle(UsageReport usage) {
        lock.lock();
        try {
            if (state == State.SETTLED) {
                return settled;
            }
            if (state == State.RELEASED) {
                log.warn("{}: settle after release; nothing charged", sink.describe());
                return Settled.NOTHING;
            }
            state = State.SETTLED;
            RequestPricing.Charge charge = pricing.charge(plan.priced(), model, usage);
            try {
                if (charge.nothing()) {
                    sink.release();
                    settled = Settled.of(charge, BigDecimal.ZERO);
                } else {
                    settled = sink.commit(charge);
                }
            } catch (RuntimeException e) {
                count(failures, 1);
                settled = sink.reserved();
                log.error("{}: the charge ({} quota, {} USD) could not be recorded; the reservation stays charged",
                        sink.describe(), charge.quota(), charge.costUsd().toPlainString(), e);
                return settled;
            }
            if (settled.quota() > plan.quota()) {
                count(overage, settled.quota() - plan.quota());
            }
            return settled;
        } finally {
            lock.unlock();
        }
    }

    /** Releases the whole reservation unless settled. Never throws. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state != State.ADMITTED) {
                return;
            }
            state = State.RELEASED;
            try {
                sink.release();
            } catch (RuntimeException e) {
                count(failures, 1);
                log.error("{}: the release could not be recorded; the reservation stays charged", sink.describe(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    private static void count(Counter counter, double amount) {
        if (counter != null) {
            counter.increment(amount);
        }
    }
}
