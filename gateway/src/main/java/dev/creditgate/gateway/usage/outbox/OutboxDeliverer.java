package dev.creditgate.gateway.usage.outbox;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The background side of the usage outbox: one virtual thread that, in a loop,
 * <ol>
 *   <li>recovers INTENT rows past their due time (every {@code recovery-interval}; any instance may, the
 *       conditional UPDATE makes it once);</li>
 *   <li>claims due PENDING rows with a lease (conditional UPDATE, portable, safe with several instances);</li>
 *   <li>delivers them through {@link UsageDelivery} (up to {@code concurrency} at once, on virtual threads) and
 *       records the outcome: DELIVERED, a retry after exponential backoff with jitter, or FAILED after
 *       {@code max-attempts}.</li>
 * </ol>
 * Wakes at once when a request settles ({@link #wake}), else every {@code poll-interval}.
 */
@Component
public class OutboxDeliverer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxDeliverer.class);

    private final OutboxRepository repository;
    private final OutboxProperties properties;
    private final ObjectProvider<UsageDelivery> delivery;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final String owner = "gw-" + UUID.randomUUID().toString().substring(0, 18);
    private final Map<OutboxStatus, AtomicLong> backlog = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter recovered;
    private volatile boolean running;
    private volatile Thread thread;
    private ExecutorService workers;
    private long nextHousekeeping;
    private long nextCleanup;

    OutboxDeliverer(OutboxRepository repository, OutboxProperties properties, ObjectProvider<UsageDelivery> delivery,
                    Clock clock, MeterRegistry metrics) {
        this.repository = repository;
        this.properties = properties;
        this.delivery = delivery;
        this.clock = clock;
        this.metrics = metrics;
        for (OutboxStatus s : List.of(OutboxStatus.INTENT, OutboxStatus.PENDING, OutboxStatus.FAILED)) {
            AtomicLong v = new AtomicLong();
            backlog.put(s, v);
            Gauge.builder("creditgate.usage.outbox.backlog", v, AtomicLong::get)
                    .description("usage events not yet delivered, by status (refreshed every recovery interval)")
                    .tag("status", s.name().toLowerCase())
                    .register(metrics);
        }
        this.recovered = Counter.builder("creditgate.usage.outbox.recovered")
                .description("intent rows charged at their estimate because no settlement came in time")
                .register(metrics);
    }

    /** Runs one round now: recovery (when due), then the due rows. Returns the number of rows handled. Tests call it. */
    public synchronized int runOnce() {
        long now = clock.millis();
        if (now >= nextHousekeeping) {
            nextHousekeeping = now + properties.recoveryInterval().toMillis();
            housekeeping(now);
        }
        UsageDelivery d = delivery.getIfAvailable();
        if (d == null) {
            return 0;
        }
        long lease = now + properties.claimLease().toMillis();
        // a row still this instance's for half a claim or more is delivered without claiming it again
        List<OutboxEvent> claimed = repository.claimAll(repository.dueIds(now, properties.batchSize(), owner), owner,
                now, lease, now + properties.claimLease().toMillis() / 2);
        if (claimed.isEmpty()) {
            return 0;
        }
        // lease rows go to the platform in one call per lease; the others one by one
        Map<String, List<OutboxEvent>> byLease = new LinkedHashMap<>();
        List<Future<?>> inFlight = new ArrayList<>();
        for (OutboxEvent e : claimed) {
            if (e.kind() == OutboxKind.LEASE) {
                byLease.computeIfAbsent(e.holdId(), k -> new ArrayList<>()).add(e);
            } else {
                inFlight.add(workers.submit(() -> record(List.of(e), List.of(deliverSafely(d, e)))));
            }
        }
        for (List<OutboxEvent> group : byLease.values()) {
            inFlight.add(workers.submit(() -> record(group, deliverAllSafely(d, group))));
        }
        for (Future<?> f : inFlight) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                log.error("usage outbox: delivery task failed", e);
            }
        }
        return claimed.size();
    }

    /** Recovery of stale intents, gauges, clean-up of old delivered rows. */
    public void housekeeping(long now) {
        int n = repository.recoverIntents(now);
        if (n > 0) {
            recovered.increment(n);
            log.warn("usage outbox: {} intent row(s) had no settlement within {}; charging their estimate", n,
                    properties.intentTimeout());
        }
        repository.backlog().forEach((status, count) -> {
            AtomicLong v = backlog.get(status);
            if (v != null) {
                v.set(count);
            }
        });
        if (now >= nextCleanup) {
            nextCleanup = now + 3_600_000L;
            int deleted = repository.deleteDelivered(now - properties.retention().toMillis());
            if (deleted > 0) {
                log.info("usage outbox: deleted {} delivered row(s) older than {}", deleted, properties.retention());
            }
        }
    }

    private static UsageDelivery.Result deliverSafely(UsageDelivery d, OutboxEvent e) {
        try {
            return d.deliver(e);
        } catch (RuntimeException ex) {
            log.error("usage event {}: delivery threw", e.eventId(), ex);
            return new UsageDelivery.Retry("delivery threw " + ex, true);
        }
    }

    private static List<UsageDelivery.Result> deliverAllSafely(UsageDelivery d, List<OutboxEvent> events) {
        try {
            List<UsageDelivery.Result> r = d.deliverAll(events);
            if (r.size() == events.size()) {
                return r;
            }
            log.error("usage outbox: {} results for {} events", r.size(), events.size());
        } catch (RuntimeException ex) {
            log.error("usage events {}..: delivery threw", events.getFirst().eventId(), ex);
        }
        return events.stream().<UsageDelivery.Result>map(e -> new UsageDelivery.Retry("delivery failed", true))
                .toList();
    }

    /** Records what each attempt achieved; the delivered rows of one note in one statement. */
    private void record(List<OutboxEvent> events, List<UsageDelivery.Result> results) {
        Map<String, List<Long>> delivered = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            OutboxEvent e = events.get(i);
            if (results.get(i) instanceof UsageDelivery.Delivered ok) {
                delivered.computeIfAbsent(ok.note(), k -> new ArrayList<>()).add(e.id());
                count(e.kind().name().toLowerCase(), "delivered");
            } else {
                recordOne(e, results.get(i));
            }
        }
        long now = clock.millis();
        delivered.forEach((note, ids) -> repository.markAllDelivered(ids, owner, note, now));
    }

    private void recordOne(OutboxEvent e, UsageDelivery.Result r) {
        long id = e.id();
        long now = clock.millis();
        String kind = e.kind().name().toLowerCase();
        switch (r) {
            case UsageDelivery.Delivered ok -> {
                repository.markDelivered(id, owner, ok.note(), now);
                count(kind, "delivered");
            }
            case UsageDelivery.Convert c -> {
                repository.convert(id, owner, c.kind(), c.reason(), now);
                count(kind, "converted");
                log.warn("usage event {}: {} turned into {}: {}", e.eventId(), e.kind(), c.kind(), c.reason());
                wake();
            }
            case UsageDelivery.Retry retry -> {
                int attempts = e.attempts() + (retry.countsAsAttempt() ? 1 : 0);
                boolean tooOld = now - e.createdAt() >= properties.giveUpAfter().toMillis();
                boolean failed = attempts >= properties.maxAttempts() || tooOld;
                String reason = tooOld && attempts < properties.maxAttempts()
                        ? retry.reason() + " (given up: older than gateway.usage.outbox.give-up-after "
                        + properties.giveUpAfter() + ")" : retry.reason();
                // while the breaker is open, not before its next probe: an outage costs each row one statement per
                // open period rather than one per second
                long wait = Math.max(backoff(attempts), retry.notBeforeMillis());
                repository.markFailed(id, owner, reason, attempts, failed, now + wait, now);
                count(kind, failed ? "failed" : "retry");
                if (failed) {
                    log.error("usage event {}: {} failed after {} attempt(s), last: {} (replay with POST"
                            + " /api/usage_event/{}/replay)", e.eventId(), e.kind(), attempts, reason, id);
                }
            }
            case UsageDelivery.Rejected rej -> {
                repository.markFailed(id, owner, rej.reason(), e.attempts() + 1, true, now, now);
                count(kind, "failed");
                log.error("usage event {}: {} rejected: {}", e.eventId(), e.kind(), rej.reason());
            }
        }
    }

    /** {@code initial x 2^(attempts-1)}, capped, with +-20 % jitter; at least the initial backoff. */
    long backoff(int attempts) {
        long base = properties.initialBackoff().toMillis();
        long max = properties.maxBackoff().toMillis();
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long wait = Math.min(max, base << shift);
        long jitter = wait / 5;
        return Math.max(1, wait + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1)));
    }

    private void count(String kind, String outcome) {
        counters.computeIfAbsent(kind + '|' + outcome, k -> Counter.builder("creditgate.usage.outbox.deliveries")
                .description("usage event delivery attempts by kind and outcome")
                .tag("kind", kind).tag("outcome", outcome).register(metrics)).increment();
    }

    /** This instance's name in {@code claimed_by}. */
    public String owner() {
        return owner;
    }

    /** Wakes the loop (a request settled). */
    public void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void loop() {
        long poll = properties.pollInterval().toNanos();
        while (running) {
            int handled = 0;
            try {
                handled = runOnce();
            } catch (RuntimeException e) {
                log.warn("usage outbox round failed (retrying in {}): {}", properties.pollInterval(), e.toString());
            }
            if (handled < properties.batchSize() && running) {
                LockSupport.parkNanos(poll);
            }
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("usage-outbox-delivery-", 0).factory());
        thread = Thread.ofVirtual().name("usage-outbox").start(this::loop);
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the data source and the HTTP client go away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
