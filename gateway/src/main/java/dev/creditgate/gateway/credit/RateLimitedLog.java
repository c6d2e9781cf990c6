package dev.creditgate.gateway.credit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Logs at most one warning per topic and interval, counting what it suppressed, so that an outage at thousands of
 * requests per second writes a few lines, not thousands.
 */
final class RateLimitedLog {

    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    private static final class Slot {
        final AtomicLong lastMillis = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    RateLimitedLog(Logger log, Clock clock, Duration interval) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /** Warns {@code message} unless the same topic was logged within the interval. Returns true when logged. */
    boolean warn(String topic, String message) {
        if (!log.isWarnEnabled()) {
            return false;
        }
        Slot slot = slots.computeIfAbsent(topic, t -> new Slot());
        long now = clock.millis();
        long last = slot.lastMillis.get();
        if (last != Long.MIN_VALUE && now - last < intervalMillis) {
            slot.suppressed.incrementAndGet();
            return false;
        }
        if (!slot.lastMillis.compareAndSet(last, now)) {
            slot.suppressed.incrementAndGet();
            return false;
        }
        long skipped = slot.suppressed.getAndSet(0);
        if (skipped > 0) {
            log.warn("{} ({} similar suppressed in the last {} ms)", message, skipped, intervalMillis);
        } else {
            log.warn(message);
        }
        return true;
    }
}
