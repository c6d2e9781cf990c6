package dev.creditgate.gateway.credit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import dev.creditgate.gateway.usage.outbox.UsageOutbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The credit requests still running on this instance, renewed before they expire: a stream that outlives its
 * hold's TTL keeps its hold (and its outbox intent) instead of letting the platform expire it and the capture find
 * nothing to capture. A hold is renewed when less than half its TTL is left; a gateway that dies stops renewing,
 * so its holds still expire after one TTL. A request without a hold of its own (admitted against a lease, which is
 * refreshed on its own) has only its outbox intent kept alive, on the same schedule.
 */
@Component
class ActiveHolds {

    private static final Logger log = LoggerFactory.getLogger(ActiveHolds.class);

    private final HoldExtender extender;
    private final UsageOutbox outbox;
    private final Clock clock;
    private final Duration ttl;
    private final ConcurrentHashMap<String, Active> active = new ConcurrentHashMap<>();
    private final Counter renewed;
    private final Counter renewFailures;

    ActiveHolds(HoldExtender extender, UsageOutbox outbox, Clock clock, CreditProperties properties,
                MeterRegistry metrics) {
        this.extender = extender;
        this.outbox = outbox;
        this.clock = clock;
        this.ttl = properties.holdTtl();
        this.renewed = Counter.builder("creditgate.credit.holds.renewed")
                .description("holds of running requests extended before their TTL passed").register(metrics);
        this.renewFailures = Counter.builder("creditgate.credit.holds.renew.failures")
                .description("hold extensions the platform refused or did not answer").register(metrics);
    }

    /** A request is now being relayed, with its own hold ({@code holdId}) or without (null). */
    void started(String holdId, String eventId) {
        active.put(eventId, new Active(holdId, eventId, clock.millis() + ttl.toMillis()));
    }

    /** The request settled or was released: nothing more to renew. */
    void finished(String eventId) {
        active.remove(eventId);
    }

    int size() {
        return active.size();
    }

    /** Extends every hold with less than half its TTL left; runs each second (a walk over this instance's holds). */
    @Scheduled(fixedDelay = 1000, initialDelay = 1000)
    void renewDue() {
        long now = clock.millis();
        for (Active a : active.values()) {
            if (a.expiresAtMs() - now > ttl.toMillis() / 2) {
                continue;
            }
            boolean ok;
            try {
                ok = a.holdId() == null || extender.extend(a.holdId(), ttl.toSeconds());
            } catch (RuntimeException e) {
                ok = false;
                log.warn("hold {}: extension failed: {}", a.holdId(), e.toString());
            }
            if (ok) {
                if (a.holdId() != null) {
                    renewed.increment();
                }
                outbox.keepAlive(a.eventId());
                active.replace(a.eventId(), a, new Active(a.holdId(), a.eventId(), now + ttl.toMillis()));
            } else {
                renewFailures.increment();
            }
        }
    }

    private record Active(String holdId, String eventId, long expiresAtMs) {}

    /** Extends a hold at the platform by a TTL from now; true when it is still pending. */
    @FunctionalInterface
    interface HoldExtender {
        boolean extend(String holdId, long ttlSeconds);
    }
}
