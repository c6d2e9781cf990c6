package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code letaicode_fallback} when the credit platform is {@link Unavailable} (SPEC 4.4):
 * <ul>
 *   <li>{@code local}: the key's last known balance if cached (minus what this instance let through on it by
 *       fallback within {@code gateway.credit.fallback-window}, so that neither a burst nor a flapping platform can
 *       spend the same cached credit many times), else the owner's local quota ({@link LocalQuota}), else 503;</li>
 *   <li>{@code deny}: 503 {@code credit_service_unavailable} with the platform's reason;</li>
 *   <li>{@code allow}: let through while the key's fallback spending within the window stays within
 *       {@code letaicode_fallback_allowance} credits; then 503.</li>
 * </ul>
 * The accounts ({@link FallbackSpending}) are per key over a sliding window, not per outage: a flap (one answer
 * between failures) does not start them afresh. They are in memory and per gateway instance: N instances may
 * together let through N times the allowance. Every decision is counted ({@code creditgate.credit.fallback}, tags policy and outcome) and logged
 * (rate-limited).
 */
public final class FallbackPolicy {

    private static final Logger log = LoggerFactory.getLogger(FallbackPolicy.class);

    private final Supplier<FallbackSettings> settings;
    private final LastKnownBalances lastKnown;
    private final MeterRegistry registry;
    private final RateLimitedLog decisionLog;
    private final FallbackSpending lastKnownSpending;
    private final FallbackSpending allowanceSpending;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    /** The default window for fallback spending, {@code gateway.credit.fallback-window}. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

    public FallbackPolicy(Supplier<FallbackSettings> settings, LastKnownBalances lastKnown, MeterRegistry registry) {
        this(settings, lastKnown, registry, Clock.systemUTC());
    }

    public FallbackPolicy(Supplier<FallbackSettings> settings, LastKnownBalances lastKnown, MeterRegistry registry,
                          Clock clock) {
        this(settings, lastKnown, registry, clock, DEFAULT_WINDOW);
    }

    public FallbackPolicy(Supplier<FallbackSettings> settings, LastKnownBalances lastKnown, MeterRegistry registry,
                          Clock clock, Duration window) {
        this.lastKnownSpending = new FallbackSpending(window, clock);
        this.allowanceSpending = new FallbackSpending(window, clock);
        this.settings = Objects.requireNonNull(settings);
        this.lastKnown = Objects.requireNonNull(lastKnown);
        this.registry = Objects.requireNonNull(registry);
        this.decisionLog = new RateLimitedLog(log, clock, Duration.ofSeconds(10));
    }

    /**
     * @param remoteKeyId   the platform key id of the token
     * @param estimateQuota the request's estimate in quota units
     * @param failure       why the platform gave no answer
     * @param localQuota    the owner's local quota, for {@code local}
     */
    public CreditVerdict decide(String remoteKeyId, long estimateQuota, Unavailable failure, LocalQuota localQuota) {
        Objects.requireNonNull(remoteKeyId, "remoteKeyId");
        Objects.requireNonNull(failure, "failure");
        FallbackSettings s;
        try {
            s = Objects.requireNonNull(settings.get(), "fallback settings");
        } catch (RuntimeException e) {
            return record("invalid", "denied", remoteKeyId, new CreditVerdict.ServiceUnavailable(
                    failure.reason() + "; fallback settings invalid: " + e.getMessage()));
        }
        String policy = s.mode().option();
        return switch (s.mode()) {
            case DENY -> record(policy, "denied", remoteKeyId, new CreditVerdict.ServiceUnavailable(failure.reason()));
            case ALLOW -> {
                BigDecimal rate = rate(remoteKeyId, s);
                CheckDecision d = allowanceSpending.tryConsume(remoteKeyId, s.allowanceCredits(), estimateQuota, rate);
                if (d.allowed()) {
                    yield record(policy, "allowed_allowance", remoteKeyId,
                            new CreditVerdict.Allow(CreditVerdict.Basis.ALLOWANCE, failure.reason()));
                }
                yield record(policy, "allowance_exhausted", remoteKeyId, new CreditVerdict.ServiceUnavailable(
                        failure.reason() + "; fallback allowance of " + CheckDecision.plain(s.allowanceCredits())
                                + " credits for this key within the fallback window exhausted (left: "
                                + CheckDecision.plain(d.remaining().max(BigDecimal.ZERO)) + ", need: "
                                + CheckDecision.plain(d.need()) + ")"));
            }
            case LOCAL -> local(policy, remoteKeyId, estimateQuota, failure, localQuota, s);
        };
    }

    /** The rate to convert estimates for a key: the platform's last one, else the configured one. */
    BigDecimal rate(String remoteKeyId, FallbackSettings s) {
        return lastKnown.get(remoteKeyId).map(LastKnownBalances.Known::creditsPerUsd).orElse(s.creditsPerUsd());
    }

    /** The configured rate for {@code remoteKeyId} (settings errors: the default rate). */
    BigDecimal rate(String remoteKeyId) {
        FallbackSettings s;
        try {
            s = Objects.requireNonNullElse(settings.get(), FallbackSettings.DEFAULTS);
        } catch (RuntimeException e) {
            s = FallbackSettings.DEFAULTS;
        }
        return rate(remoteKeyId, s);
    }

    private CreditVerdict local(String policy, String keyId, long estimateQuota, Unavailable failure,
                                LocalQuota localQuota, FallbackSettings s) {
        Optional<LastKnownBalances.Known> known = lastKnown.get(keyId);
        if (known.isPresent()) {
            CheckDecision d = lastKnownSpending.tryConsume(keyId, known.get().credit(), estimateQuota,
                    known.get().creditsPerUsd());
            return d.allowed()
                    ? record(policy, "allowed_last_known", keyId,
                    new CreditVerdict.Allow(CreditVerdict.Basis.LAST_KNOWN_BALANCE, failure.reason()))
                    : record(policy, "insufficient", keyId, new CreditVerdict.Insufficient(d));
        }
        OptionalLong quota;
        try {
            quota = localQuota == null ? OptionalLong.empty() : localQuota.remainingQuota(keyId);
        } catch (RuntimeException e) {
            return record(policy, "no_local_data", keyId, new CreditVerdict.ServiceUnavailable(
                    failure.reason() + "; local quota unreadable: " + e.getMessage()));
        }
        if (quota.isEmpty()) {
            return record(policy, "no_local_data", keyId, new CreditVerdict.ServiceUnavailable(
                    failure.reason() + "; no last known balance and no local quota for this key"));
        }
        CheckDecision d = CheckDecision.quota(estimateQuota, quota.getAsLong());
        return d.allowed()
                ? record(policy, "allowed_local_quota", keyId,
                new CreditVerdict.Allow(CreditVerdict.Basis.LOCAL_QUOTA, failure.reason()))
                : record(policy, "insufficient", keyId, new CreditVerdict.Insufficient(d));
    }

    private CreditVerdict record(String policy, String outcome, String keyId, CreditVerdict verdict) {
        counters.computeIfAbsent(policy + '|' + outcome, k -> Counter.builder("creditgate.credit.fallback")
                .description("decisions taken while the credit platform was unavailable")
                .tag("policy", policy)
                .tag("outcome", outcome)
                .register(registry)).increment();
        String detail = switch (verdict) {
            case CreditVerdict.Allow a -> "platform: " + a.detail();
            case CreditVerdict.Insufficient i -> i.message();
            case CreditVerdict.ServiceUnavailable u -> u.message();
            case CreditVerdict.UnknownKey u -> u.message();
            case CreditVerdict.TooManyHolds t -> t.message();
        };
        decisionLog.warn(policy + '|' + outcome, "credit platform fallback " + policy + ": " + outcome
                + " (keyId=" + keyId + "; " + detail + ")");
        return verdict;
    }
}
