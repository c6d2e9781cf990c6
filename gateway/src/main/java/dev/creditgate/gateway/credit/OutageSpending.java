package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Credits each key was let through with during the current outage, in memory, per gateway instance. An entry of an
 * older outage counts as zero; updates are atomic per key (Caffeine's {@code compute}), so concurrent requests on
 * one key can never together exceed the limit.
 */
final class OutageSpending {

    private record Entry(long outageId, BigDecimal spent) {
    }

    private final Cache<String, Entry> spent = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofHours(6))
            .build();

    /**
     * Decides against {@code limit - spent so far in this outage} and, when allowed, adds the need to the spent
     * amount, in one atomic step.
     */
    CheckDecision tryConsume(String keyId, long outageId, BigDecimal limit, long estimateQuota, BigDecimal rate) {
        CheckDecision[] out = new CheckDecision[1];
        spent.asMap().compute(keyId, (k, old) -> {
            // ids only grow: a late failure of an older outage must not reset a newer outage's account
            boolean current = old != null && old.outageId() >= outageId;
            long id = current ? old.outageId() : outageId;
            BigDecimal used = current ? old.spent() : BigDecimal.ZERO;
            CheckDecision d = CheckDecision.credits(estimateQuota, limit.subtract(used), rate);
            out[0] = d;
            return new Entry(id, d.allowed() ? used.add(d.need()) : used);
        });
        return out[0];
    }

    /** Spent by {@code keyId} in outage {@code outageId} (zero when none or another outage). */
    BigDecimal spent(String keyId, long outageId) {
        Entry e = spent.getIfPresent(keyId);
        return e == null || e.outageId() != outageId ? BigDecimal.ZERO : e.spent();
    }
}
