package dev.creditgate.gateway.relay;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.RateLimitedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Bounds the relayed requests in progress on this instance ({@link RelayLimits#concurrentRelays()}). Each one holds
 * its connections' buffers, its body and a virtual thread's stack for as long as it runs (a stream: minutes), so the
 * bound is what keeps a flood of streams from running the gateway out of heap: past it a request is answered 503
 * {@code gateway_busy} at once, before its body is read, and the ones in progress go on.
 * Metrics: {@code creditgate.relay.active}, {@code creditgate.relay.limit}, {@code creditgate.relay.refused}.
 */
@Component
public class RelayBulkhead {

    private static final long RETRY_AFTER = TimeUnit.SECONDS.toNanos(1);

    private final int limit;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter refused;

    RelayBulkhead(RelayLimits limits, MeterRegistry metrics) {
        this.limit = limits.concurrentRelays();
        Gauge.builder("creditgate.relay.active", active, AtomicInteger::get)
                .description("relayed requests in progress on this instance").register(metrics);
        Gauge.builder("creditgate.relay.limit", () -> limit)
                .description("gateway.relay.max-concurrent in force").register(metrics);
        this.refused = Counter.builder("creditgate.relay.refused")
                .description("requests answered 503 gateway_busy: max-concurrent relays were in progress")
                .register(metrics);
    }

    /**
     * Takes a place; the caller must {@link #leave()} in a finally.
     *
     * @throws RateLimitedException 503 {@code gateway_busy} when every place is taken (nothing was taken)
     */
    public void enter() {
        if (active.incrementAndGet() > limit) {
            active.decrementAndGet();
            refused.increment();
            throw new RateLimitedException(ErrorCode.GATEWAY_BUSY, "this gateway instance is relaying " + limit
                    + " requests at once (gateway.relay.max-concurrent); try again shortly", RETRY_AFTER);
        }
    }

    public void leave() {
        active.decrementAndGet();
    }
}
