package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;

import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.QuotaUnits;
import dev.creditgate.gateway.quota.RequestPricing;
import dev.creditgate.gateway.usage.outbox.OutboxKind;
import dev.creditgate.gateway.usage.outbox.UsageOutbox;
import dev.creditgate.gateway.usage.outbox.UsagePayload;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted credit request: {@code ADMITTED -> SETTLED | CLOSED}, each once, thread-safe. Both transitions are a
 * single UPDATE of the request's outbox row (its intent becomes the charge); the platform is called later, by the
 * outbox deliverer, never on the request's thread.
 * <ul>
 *   <li>settle, something delivered: CAPTURE the hold (or WEBHOOK when there is none) for the actual cost, which
 *       may be below or above the estimate; a stream the client cut off is charged for what was delivered
 *       ({@link RequestPricing#charge});</li>
 *   <li>settle with nothing delivered, or close without settle: RELEASE the hold (or drop the intent when there is
 *       no hold).</li>
 * </ul>
 */
final class CreditAdmitted implements Admitted {

    enum State { ADMITTED, SETTLED, CLOSED }

    private static final Logger log = LoggerFactory.getLogger(CreditAdmitted.class);

    private final String eventId;
    private final String holdId;
    private final RequestPricing.Priced priced;
    private final String model;
    private final RequestPricing pricing;
    private final UsageOutbox outbox;
    private final Clock clock;
    private final Counter failures;
    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.ADMITTED;
    private long charged;
    private UsageReport chargedUsage;

    CreditAdmitted(String eventId, String holdId, RequestPricing.Priced priced, String model, RequestPricing pricing,
                   UsageOutbox outbox, Clock clock, Counter failures) {
        this.eventId = eventId;
        this.holdId = holdId;
        this.priced = priced;
        this.model = model;
        this.pricing = pricing;
        this.outbox = outbox;
        this.clock = clock;
        this.failures = failures;
    }

    @Override
    public long estimatedQuota() {
        return priced.quota();
    }

    /** @return the quota charged (written to the log row); the estimate when the outbox could not be written */
    @Override
    public long settle(UsageReport usage) {
        lock.lock();
        try {
            if (state == State.SETTLED) {
                return charged;
            }
            if (state == State.CLOSED) {
                log.warn("usage event {}: settle after close; nothing charged", eventId);
                return 0;
            }
            state = State.SETTLED;
            RequestPricing.Charge charge = pricing.charge(priced, model, usage);
            boolean nothing = charge.basis() == RequestPricing.Basis.NOTHING_DELIVERED;
            BigDecimal usd = QuotaUnits.quotaToUsd(charge.quota());
            UsagePayload actual = new UsagePayload(model, charge.promptTokens(), charge.completionTokens(), usd,
                    clock.millis(), false);
            try {
                boolean won;
                if (nothing) {
                    won = holdId != null ? outbox.settle(eventId, OutboxKind.RELEASE, actual) : outbox.discard(eventId);
                } else {
                    won = outbox.settle(eventId, holdId != null ? OutboxKind.CAPTURE : OutboxKind.WEBHOOK, actual);
                }
                if (!won && !nothing) { // recovery charged the estimate already: that is what the log must show
                    charged = priced.quota();
                    return charged;
                }
            } catch (RuntimeException e) {
                failures.increment();
                log.error("usage event {}: settlement of {} USD could not be written; recovery will charge the"
                        + " estimate ({} quota)", eventId, usd.toPlainString(), priced.quota(), e);
                charged = priced.quota();
                return charged;
            }
            if (!nothing) {
                chargedUsage = charge.asChargedUsage(usage);
            }
            charged = charge.quota();
            return charged;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public UsageReport chargedUsage() {
        lock.lock();
        try {
            return chargedUsage;
        } finally {
            lock.unlock();
        }
    }

    /** Without settle: release the hold (through the outbox) or drop the intent. Never throws. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state != State.ADMITTED) {
                return;
            }
            state = State.CLOSED;
            try {
                if (holdId != null) {
                    outbox.settle(eventId, OutboxKind.RELEASE, new UsagePayload(model, 0, 0, BigDecimal.ZERO,
                            clock.millis(), false));
                } else {
                    outbox.discard(eventId);
                }
            } catch (RuntimeException e) {
                failures.increment();
                log.error("usage event {}: release could not be written; the intent stays and recovery will charge"
                        + " its estimate", eventId, e);
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
}
