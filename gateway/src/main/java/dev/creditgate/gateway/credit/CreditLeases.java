package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Credit leases (SPEC 4.4, CREDIT-MODES.md): with {@code letaicode_lease} on, this instance holds one lease per
 * platform user it serves and admits that user's requests against it locally ({@link Lease#tryReserve}), so the
 * request path makes no call to the platform while the lease has room. The first request of a user opens the lease
 * (one call, shared by the requests that arrive meanwhile); a request that does not fit, or a user whose credit is
 * too small to split, takes the per-request hold path.
 *
 * <p>A background loop refreshes every lease each {@code gateway.credit.lease-refresh} (0.5 s by default; every
 * 50 ms while the platform recalls the user's credit): the platform resizes it to the spending rate and the
 * available credit, shrinks it when the credit is lowered or recalled, and names the keys disabled since, so that
 * both take effect on every instance within one refresh. An idle lease with nothing in use is released. A lease
 * that cannot be refreshed is used until a third of its TTL before the platform would expire it, then no more.
 * Usage is settled in batches by the outbox ({@link #settle}); a dead instance's lease expires at the platform
 * after its TTL and its usage is settled by any instance from the shared outbox.
 */
@Component
class CreditLeases implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CreditLeases.class);
    private static final int USD_DIGITS = 12;
    /**
     * Initial lease: this many of the first request's worst case. A lease smaller than {@link #MIN_REQUESTS} of the
     * largest request is not worth holding: the platform then opens none (it grants at most half the free credit,
     * so a user needs {@code 2 x MIN_REQUESTS} worst cases of free credit to get a lease) or drains it, and the
     * user's requests take per-request holds, so that a small balance is not split between instances.
     */
    static final int OPEN_REQUESTS = 16;
    static final int MIN_REQUESTS = 8;
    /** A lease is sized for this much of the spending rate (four refreshes at the default period). */
    static final long HORIZON_MS = 2000;
    private static final long NO_LEASE_BACKOFF_MS = 1000;
    static final int MAX_NO_LEASE_KEYS = 100_000;
    private static final long RECALL_REFRESH_MS = 50;

    private final CreditPlatformClient client;
    private final CreditOptions options;
    private final CreditProperties properties;
    private final Clock clock;
    private final String owner = "gw-" + UUID.randomUUID().toString().substring(0, 13);
    private final ConcurrentHashMap<String, Lease> byKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Lease> byId = new ConcurrentHashMap<>();
    /**
     * Keys refused a lease, until when they do not ask again. Bounded (a flood of keys that get no lease must not grow
     * it): entries go after the backoff, or the oldest past {@link #MAX_NO_LEASE_KEYS}, which then just ask again.
     */
    private final Cache<String, Long> noLeaseUntil = Caffeine.newBuilder()
            .expireAfterWrite(java.time.Duration.ofMillis(NO_LEASE_BACKOFF_MS))
            .maximumSize(MAX_NO_LEASE_KEYS)
            .build();
    private final ConcurrentHashMap<String, CompletableFuture<Lease>> opening = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastRefresh = new ConcurrentHashMap<>();
    private final java.util.Set<String> wantsRefresh = ConcurrentHashMap.newKeySet();
    private final Counter admittedLocally;
    private final Counter notFitting;
    private final Counter refreshFailures;
    private volatile boolean running;
    private volatile Thread loop;

    CreditLeases(CreditPlatformClient client, CreditOptions options, CreditProperties properties, Clock clock,
                 MeterRegistry metrics) {
        this.client = client;
        this.options = options;
        this.properties = properties;
        this.clock = clock;
        this.admittedLocally = Counter.builder("creditgate.credit.lease.admitted")
                .description("requests admitted against this instance's lease, without a platform call")
                .register(metrics);
        this.notFitting = Counter.builder("creditgate.credit.lease.misses")
                .description("requests of a leasing user that took the per-request hold path (no room, no lease)")
                .register(metrics);
        this.refreshFailures = Counter.builder("creditgate.credit.lease.refresh.failures")
                .description("lease refreshes the platform did not answer").register(metrics);
        Gauge.builder("creditgate.credit.leases", byId, ConcurrentHashMap::size)
                .description("leases this instance holds").register(metrics);
    }

    /** This instance's name at the platform (the leases' owner). */
    String owner() {
        return owner;
    }

    /**
     * Admits {@code worstUsd} for a request of {@code keyId} against this instance's lease of the key's user, opening
     * the lease when there is none; null when leases are off or the request must take the per-request hold path.
     */
    Lease admit(String keyId, BigDecimal worstUsd) {
        if (!options.leases()) {
            return null;
        }
        long now = clock.millis();
        Lease lease = byKey.get(keyId);
        if (lease == null || lease.gone()) {
            Long until = noLeaseUntil.getIfPresent(keyId);
            if (until != null && now < until) {
                notFitting.increment();
                return null;
            }
            lease = open(keyId, worstUsd);
            if (lease == null) {
                notFitting.increment();
                return null;
            }
        }
        if (lease.tryReserve(keyId, worstUsd, now)) {
            admittedLocally.increment();
            return lease;
        }
        notFitting.increment();
        if (!lease.gone()) {
            lease.missed(worstUsd);
            wantsRefresh.add(lease.leaseId);
            wake();
        }
        return null;
    }

    private Lease open(String keyId, BigDecimal worstUsd) {
        CompletableFuture<Lease> mine = new CompletableFuture<>();
        CompletableFuture<Lease> f = opening.putIfAbsent(keyId, mine);
        if (f != null) {
            return f.join();
        }
        Lease lease = null;
        try {
            lease = openNow(keyId, worstUsd);
        } finally {
            opening.remove(keyId, mine);
            mine.complete(lease);
        }
        return lease;
    }

    private Lease openNow(String keyId, BigDecimal worstUsd) {
        long sent = clock.millis();
        BigDecimal want = worstUsd.multiply(BigDecimal.valueOf(OPEN_REQUESTS));
        BigDecimal min = worstUsd.multiply(BigDecimal.valueOf(MIN_REQUESTS));
        LeaseResult r = client.openLease(keyId, owner, want, min, properties.leaseTtl().toSeconds());
        if (r instanceof LeaseResult.Leased l && l.active()) {
            Lease fresh = new Lease(l.leaseId(), l.userId(), usd(l.amount(), l.creditsPerUsd()), usableUntil(sent),
                    sent);
            // another key of the same user may have opened it already: that lease object is in use, and its next
            // refresh learns what the platform holds (an open only grows a lease), so it is not changed here
            Lease prior = byId.putIfAbsent(l.leaseId(), fresh);
            Lease lease = prior != null ? prior : fresh;
            byKey.put(keyId, lease);
            noLeaseUntil.invalidate(keyId);
            lastRefresh.put(lease.leaseId, sent);
            return lease;
        }
        if (!(r instanceof LeaseResult.Refused)) {
            log.debug("key {}: no lease ({}); per-request holds", keyId, r);
        }
        noLeaseUntil.put(keyId, sent + NO_LEASE_BACKOFF_MS);
        return null;
    }

    /** When a lease answered at {@code sentMs} stops being used unless refreshed: a third of its TTL before expiry. */
    private long usableUntil(long sentMs) {
        long ttl = properties.leaseTtl().toMillis();
        return sentMs + ttl - ttl / 3;
    }

    /** Refreshes (or releases) every lease that is due; the loop calls it, tests may too. */
    void refreshDue() {
        long now = clock.millis();
        long period = properties.leaseRefresh().toMillis();
        List<Lease> due = new java.util.ArrayList<>();
        for (Lease lease : byId.values()) {
            long last = lastRefresh.getOrDefault(lease.leaseId, 0L);
            if (now - last >= (lease.recalled() ? RECALL_REFRESH_MS : period)
                    || (wantsRefresh.remove(lease.leaseId) && now - last >= RECALL_REFRESH_MS)) {
                due.add(lease);
            }
        }
        if (due.size() == 1) {
            refresh(due.getFirst());
        } else if (!due.isEmpty()) { // one virtual thread per lease: a slow platform delays none by the others
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                due.forEach(lease -> pool.submit(() -> refresh(lease)));
            }
        }
    }

    void refresh(Lease lease) {
        refresh(lease, false);
    }

    /**
     * Gives this instance's unused lease credit of the key's user back to the platform now (a per-request hold was
     * refused: the credit may be sitting in this lease); true when there was a lease to shrink.
     */
    boolean giveBack(String keyId) {
        Lease lease = byKey.get(keyId);
        if (lease == null || lease.gone()) {
            return false;
        }
        refresh(lease, true);
        return true;
    }

    private void refresh(Lease lease, boolean giveBack) {
        lease.io.lock();
        try {
            long sent = clock.millis();
            lastRefresh.put(lease.leaseId, sent);
            if (lease.gone()) {
                forget(lease);
                return;
            }
            Lease.RefreshAsk ask = lease.beginRefresh(sent, properties.leaseIdle().toMillis(), HORIZON_MS, MIN_REQUESTS,
                    giveBack);
            if (ask.idle() && !giveBack && lease.quiet()) {
                LeaseResult r = client.releaseLease(lease.leaseId);
                if (r instanceof Unavailable) {
                    lease.refreshFailed();
                    return; // try again next round; the platform expires it after its TTL anyway
                }
                lease.end();
                forget(lease);
                return;
            }
            LeaseResult r = client.refreshLease(lease.leaseId, ask.wantUsd(), ask.minUsd(), ask.inUseUsd(),
                    properties.leaseTtl().toSeconds(), ask.keyIds());
            switch (r) {
                case LeaseResult.Leased l -> lease.refreshed(usd(l.amount(), l.creditsPerUsd()), l.active(),
                        l.recalled(), new HashSet<>(l.disabledKeys()), usableUntil(sent));
                case LeaseResult.Gone g -> {
                    lease.end();
                    forget(lease);
                }
                case NotFound n -> {
                    lease.end();
                    forget(lease);
                }
                default -> {
                    refreshFailures.increment();
                    lease.refreshFailed();
                }
            }
        } finally {
            lease.io.unlock();
        }
    }

    private void forget(Lease lease) {
        byId.remove(lease.leaseId, lease);
        lastRefresh.remove(lease.leaseId);
        byKey.values().removeIf(l -> l == lease);
    }

    /**
     * Settles a batch of this lease's charges at the platform (the outbox deliverer's call; any instance may settle
     * any lease). When this instance holds the lease, the answer also updates its local accounting.
     */
    LeaseResult settle(String leaseId, List<CreditPlatformClient.LeaseCharge> charges) {
        Lease lease = byId.get(leaseId);
        if (lease == null) {
            return client.settleLease(leaseId, charges);
        }
        lease.io.lock();
        try {
            LeaseResult r = client.settleLease(leaseId, charges);
            if (r instanceof LeaseResult.Leased l) {
                lease.settled(charges.stream().map(CreditPlatformClient.LeaseCharge::eventId).toList(),
                        usd(l.amount(), l.creditsPerUsd()), l.active());
            }
            return r;
        } finally {
            lease.io.unlock();
        }
    }

    /** Credits to USD at the platform's rate, rounded down (what the credit surely covers). */
    private static BigDecimal usd(BigDecimal credits, BigDecimal rate) {
        BigDecimal r = rate == null || rate.signum() <= 0 ? CreditPlatformSettings.DEFAULT_CREDITS_PER_USD : rate;
        return credits.max(BigDecimal.ZERO).divide(r, USD_DIGITS, RoundingMode.DOWN);
    }

    /** For tests: this instance's lease of a key's user, if any. */
    Lease leaseOf(String keyId) {
        return byKey.get(keyId);
    }

    /** Releases every lease (shutdown): what is in use stays held until its TTL, settled by the outbox. */
    void releaseAll() {
        for (Lease lease : byId.values()) {
            lease.io.lock();
            try {
                if (lease.quiet() && !lease.gone()) {
                    client.releaseLease(lease.leaseId);
                }
                lease.end();
                forget(lease);
            } finally {
                lease.io.unlock();
            }
        }
    }

    private void wake() {
        Thread t = loop;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        long tick = TimeUnit.MILLISECONDS.toNanos(RECALL_REFRESH_MS);
        while (running) {
            try {
                refreshDue();
            } catch (RuntimeException e) {
                log.warn("lease refresh round failed: {}", e.toString());
            }
            LockSupport.parkNanos(tick);
        }
    }

    @Override
    public synchronized void start() {
        if (!running) {
            running = true;
            loop = Thread.ofVirtual().name("credit-leases").start(this::run);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread t = loop;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop = null;
        }
        releaseAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (no request admitted any more) and before the outbox deliverer. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 200;
    }
}
