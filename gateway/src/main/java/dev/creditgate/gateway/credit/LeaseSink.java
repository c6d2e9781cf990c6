package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Clock;

import dev.creditgate.gateway.admission.HoldPlan;
import dev.creditgate.gateway.admission.Settled;
import dev.creditgate.gateway.admission.Settlement;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.pricing.RequestPricing;
import dev.creditgate.gateway.pricing.TokenUsage;
import dev.creditgate.gateway.usage.outbox.OutboxKind;
import dev.creditgate.gateway.usage.outbox.UsageOutbox;
import dev.creditgate.gateway.usage.outbox.UsagePayload;

/**
 * A request admitted against a credit lease, as a {@link Settlement.Sink}: the charge turns the request's outbox
 * intent into a {@link OutboxKind#LEASE} row (settled at the platform in the lease's next batch) and moves the
 * request's worst case, in the lease's local accounting, from reserved to unsettled; a release drops the intent and
 * gives the worst case back to the lease. No platform call on the request's thread.
 */
final class LeaseSink implements Settlement.Sink {

    private final String eventId;
    private final Lease lease;
    private final String model;
    private final HoldPlan plan;
    private final UsageOutbox outbox;
    private final Clock clock;
    private final ActiveHolds activeHolds;

    LeaseSink(String eventId, Lease lease, String model, HoldPlan plan, UsageOutbox outbox, Clock clock,
              ActiveHolds activeHolds) {
        this.eventId = eventId;
        this.lease = lease;
        this.model = model;
        this.plan = plan;
        this.outbox = outbox;
        this.clock = clock;
        this.activeHolds = activeHolds;
    }

    @Override
    public Settled commit(RequestPricing.Charge charge) {
        activeHolds.finished(eventId);
        TokenUsage t = charge.tokens();
        CacheTokens cache = t.cache();
        UsagePayload actual = new UsagePayload(model, t.promptTokens(), t.completionTokens(), charge.costUsd(),
                clock.millis(), false, cache.read(), (long) cache.write() + cache.write1h());
        boolean won;
        try {
            won = outbox.settle(eventId, OutboxKind.LEASE, actual);
        } catch (RuntimeException e) {
            lease.finish(eventId, plan.usd(), plan.usd()); // the intent stays: recovery charges the estimate
            throw e;
        }
        if (!won) { // recovery charged the estimate already: that is what the lease and the log must show
            lease.finish(eventId, plan.usd(), plan.usd());
            return reserved();
        }
        lease.finish(eventId, plan.usd(), charge.costUsd());
        return Settled.of(charge, charge.costUsd());
    }

    @Override
    public void release() {
        activeHolds.finished(eventId);
        boolean dropped;
        try {
            dropped = outbox.discard(eventId);
        } catch (RuntimeException e) {
            lease.finish(eventId, plan.usd(), plan.usd());
            throw e;
        }
        // not dropped: recovery turned the intent into a charge of the estimate first
        lease.finish(eventId, plan.usd(), dropped ? BigDecimal.ZERO : plan.usd());
    }

    @Override
    public Settled reserved() {
        return new Settled(plan.quota(), plan.usd(), null, null, null);
    }

    @Override
    public String describe() {
        return "usage event " + eventId + " (lease " + lease.leaseId + ")";
    }
}
