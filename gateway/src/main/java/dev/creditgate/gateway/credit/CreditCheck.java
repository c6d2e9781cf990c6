package dev.creditgate.gateway.credit;

import java.util.Objects;

/**
 * The real-time credit decision for a {@code letaicode} token (SPEC 4), composed of the client, the one-unit
 * comparison ({@link CheckDecision}) and the fallback ({@link FallbackPolicy}).
 * <ul>
 *   <li>{@link #check}: {@code check} mode (the seed): balance query, then allow or 403;</li>
 *   <li>{@link #verdictFor}: {@code reserve} mode: turns a {@link HoldResult} into the same verdicts.</li>
 * </ul>
 */
public final class CreditCheck {

    private final CreditPlatformClient client;
    private final FallbackPolicy fallback;

    public CreditCheck(CreditPlatformClient client, FallbackPolicy fallback) {
        this.client = Objects.requireNonNull(client);
        this.fallback = Objects.requireNonNull(fallback);
    }

    /**
     * {@code check} mode: queries the balance and compares it with the estimate in credits. The platform's failure
     * goes to the fallback.
     *
     * @param remoteKeyId   the token's {@code remote_key_id}
     * @param estimateQuota the request's estimate in quota units
     * @param localQuota    the owner's local quota, for the {@code local} fallback
     */
    public CreditVerdict check(String remoteKeyId, long estimateQuota, LocalQuota localQuota) {
        return switch (client.balance(remoteKeyId)) {
            case BalanceResult.Balance b -> {
                CheckDecision d = CheckDecision.credits(estimateQuota, b.credit(), b.creditsPerUsd());
                yield d.allowed() ? new CreditVerdict.Allow(CreditVerdict.Basis.PLATFORM, null)
                        : new CreditVerdict.Insufficient(d);
            }
            case NotFound n -> unknownKey(n);
            case Unavailable u -> fallback.decide(remoteKeyId, estimateQuota, u, localQuota);
        };
    }

    /**
     * {@code reserve} mode: the verdict for the answer of {@link CreditPlatformClient#createHold} (made for
     * {@code estimateQuota}). {@code Granted} allows (keep its hold id to capture or release).
     */
    public CreditVerdict verdictFor(HoldResult hold, String remoteKeyId, long estimateQuota, LocalQuota localQuota) {
        return switch (hold) {
            case HoldResult.Granted g -> new CreditVerdict.Allow(CreditVerdict.Basis.PLATFORM, "hold " + g.holdId());
            case HoldResult.Refused r -> new CreditVerdict.Insufficient(
                    CheckDecision.refused(estimateQuota, r.available(), fallback.rate(remoteKeyId)));
            case HoldResult.TooManyHolds t -> new CreditVerdict.TooManyHolds("credit platform: "
                    + (t.message() == null ? "too many open holds for this key" : t.message()));
            case NotFound n -> unknownKey(n);
            case Unavailable u -> fallback.decide(remoteKeyId, estimateQuota, u, localQuota);
        };
    }

    private static CreditVerdict unknownKey(NotFound n) {
        return new CreditVerdict.UnknownKey("key unknown to the credit platform"
                + (n.message() == null ? "" : ": " + n.message()));
    }
}
