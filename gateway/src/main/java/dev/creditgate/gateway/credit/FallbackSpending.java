package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Credits each key was let through with by a fallback, over a sliding time window (in memory, per gateway
 * instance). Counted per key and window rather than per outage: a platform that flaps (answers once between
 * failures) used to start a fresh account on every flap, letting a key spend its last known balance, or the
 * allowance, again each time. Updates are atomic per key (Caffeine's {@code compute}), so concurrent requests on one
 * key can never together exceed the limit.
 *
 * <p>The window is kept as {@value #BUCKETS} buckets (a minute each for the default hour): spending leaves the
 * account up to one bucket later than the exact window would let it.
 */
final class FallbackSpending {

    static final int BUCKETS = 60;

    /** Sums per bucket; {@code starts[i]} is the bucket index (time / width) that {@code sums[i]} belongs to. */
    private static final class Account {
        final long[] starts = new long[BUCKETS];
        final BigDecimal[] sums = new BigDecimal[BUCKETS];

        BigDecimal total(long bucket) {
            BigDecimal t = BigDecimal.ZERO;
            for (int i = 0; i < BUCKETS; i++) {
                if (sums[i] != null && bucket - starts[i] < BUCKETS) {
                    t = t.add(sums[i]);
                }
            }
            return t;
        }

        void add(long bucket, BigDecimal amount) {
            int i = (int) Math.floorMod(bucket, (long) BUCKETS);
            if (sums[i] == null || starts[i] != bucket) {
                starts[i] = bucket;
                sums[i] = BigDecimal.ZERO;
            }
            sums[i] = sums[i].add(amount);
        }
    }

    private final Cache<String, Account> accounts;
    private final long bucketMillis;
    private final Clock clock;

    FallbackSpending(Duration window, Clock clock) {
        if (window.toMillis() < BUCKETS) {
            throw new IllegalArgumentException("fallback window " + window + " (expected: >= " + BUCKETS + " ms)");
        }
        this.bucketMillis = window.toMillis() / BUCKETS;
        this.clock = clock;
        this.accounts = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterAccess(window)
                .build();
    }

    /**
     * Decides against {@code limit - spent in the window} and, when allowed, adds the need to the spent amount, in
     * one atomic step.
     */
    CheckDecision tryConsume(String keyId, BigDecimal limit, long estimateQuota, BigDecimal rate) {
        long bucket = clock.millis() / bucketMillis;
        CheckDecision[] out = new CheckDecision[1];
        accounts.asMap().compute(keyId, (k, old) -> {
            Account a = old == null ? new Account() : old;
            CheckDecision d = CheckDecision.credits(estimateQuota, limit.subtract(a.total(bucket)), rate);
            if (d.allowed()) {
                a.add(bucket, d.need());
            }
            out[0] = d;
            return a;
        });
        return out[0];
    }

    /** Spent by {@code keyId} in the window. */
    BigDecimal spent(String keyId) {
        long bucket = clock.millis() / bucketMillis;
        BigDecimal[] out = {BigDecimal.ZERO};
        accounts.asMap().computeIfPresent(keyId, (k, a) -> {
            out[0] = a.total(bucket);
            return a;
        });
        return out[0];
    }
}
