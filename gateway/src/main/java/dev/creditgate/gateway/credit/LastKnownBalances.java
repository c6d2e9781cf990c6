package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The last available credit the platform reported per key (balance, hold, capture and release answers), used by the
 * {@code local} fallback while the platform is unavailable. In memory, per gateway instance, bounded in size and age.
 */
public final class LastKnownBalances {

    /**
     * @param credit        available credit reported by the platform
     * @param creditsPerUsd the rate that goes with it
     * @param at            when the answer arrived
     */
    public record Known(BigDecimal credit, BigDecimal creditsPerUsd, Instant at) {
    }

    public static final long DEFAULT_MAX_KEYS = 100_000;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);

    private final Cache<String, Known> cache;
    private final Clock clock;

    public LastKnownBalances() {
        this(DEFAULT_MAX_KEYS, DEFAULT_MAX_AGE, Clock.systemUTC());
    }

    public LastKnownBalances(long maxKeys, Duration maxAge, Clock clock) {
        this.clock = Objects.requireNonNull(clock);
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterWrite(maxAge)
                .ticker(() -> clock.millis() * 1_000_000L)
                .build();
    }

    public Optional<Known> get(String keyId) {
        return Optional.ofNullable(cache.getIfPresent(keyId));
    }

    /** Records a fresh answer; {@code creditsPerUsd} null keeps the rate seen before (or {@code fallbackRate}). */
    public void update(String keyId, BigDecimal credit, BigDecimal creditsPerUsd, BigDecimal fallbackRate) {
        if (keyId == null || credit == null) {
            return;
        }
        Instant now = clock.instant();
        cache.asMap().compute(keyId, (k, old) -> new Known(credit,
                creditsPerUsd != null ? creditsPerUsd : old != null ? old.creditsPerUsd() : fallbackRate, now));
    }

    public void forget(String keyId) {
        cache.invalidate(keyId);
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
