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
 * A credit request's reservation as a {@link Settlement.Sink}: its row in the usage outbox, whose intent (the
 * estimate, written at admission) becomes the charge in one UPDATE. The platform is called later by the outbox
 * deliverer, never on the request's thread: CAPTURE of the hold (or a WEBHOOK when there is none) for the exact USD
 * cost, which may be below or above the hold; RELEASE of the hold (or the intent dropped) when nothing is owed.
 */
final class OutboxSink implements Settlement.Sink {

    private final String eventId;
    private final String holdId;
    private final String model;
    private final HoldPlan plan;
    private final UsageOutbox outbox;
    private final Clock clock;
    private final ActiveHolds activeHolds;

    OutboxSink(String eventId, String holdId, String model, HoldPlan plan, UsageOutbox outbox, Clock clock,
               ActiveHolds activeHolds) {
        this.eventId = eventId;
        this.holdId = holdId;
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
        boolean won = outbox.settle(eventId, holdId != null ? OutboxKind.CAPTURE : OutboxKind.WEBHOOK, actual);
        if (!won) { // recovery charged the estimate already: that is what the log must show
            return reserved();
        }
        return Settled.of(charge, charge.costUsd());
    }

    @Override
    public void release() {
        activeHolds.finished(eventId);
        if (holdId != null) {
            outbox.settle(eventId, OutboxKind.RELEASE, new UsagePayload(model, 0, 0, BigDecimal.ZERO, clock.millis(),
                    false));
        } else {
            outbox.discard(eventId);
        }
    }

    /** What recovery charges if this request's settlement is lost: the intent's estimate. */
    @Override
    public Settled reserved() {
        return new Settled(plan.quota(), plan.usd(), null, null, null);
    }

    @Override
    public String describe() {
        return "usage event " + eventId + (holdId == null ? "" : " (hold " + holdId + ")");
    }
}
