package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.util.Objects;

import dev.creditgate.gateway.pricing.QuotaUnits;

/**
 * The seed's two 403 rules in one place: refuse when the remaining amount is {@code <= 0} or below the estimate,
 * both compared in one unit (credits for the platform, quota for the local fallback; the seed's comparison of
 * credits with quota units is a unit bug, SPEC 2). Pure and exact.
 *
 * @param allowed   true when the request may go on
 * @param unit      {@code "credits"} or {@code "quota"}
 * @param remaining what is left, in {@code unit}
 * @param need      the estimate, in {@code unit}
 * @param message   for a refusal: {@code "user quota insufficient, remaining: X credits, need: Y credits"}; null
 *                  when allowed
 */
public record CheckDecision(boolean allowed, String unit, BigDecimal remaining, BigDecimal need, String message) {

    /** new-api's QuotaPerUnit: 500,000 quota = 1 USD. */
    public static final long QUOTA_PER_USD = QuotaUnits.QUOTA_PER_USD;
    /** The error code of a refusal (HTTP 403). */
    public static final String CODE = "insufficient_user_quota";
    public static final String CREDITS = "credits";
    public static final String QUOTA = "quota";

    /**
     * Compares the platform's available credit with the estimate converted to credits.
     *
     * @param estimateQuota   the request's estimate in quota units ({@code >= 0})
     * @param availableCredit the platform's available credit
     * @param creditsPerUsd   the conversion rate ({@code > 0})
     */
    public static CheckDecision credits(long estimateQuota, BigDecimal availableCredit, BigDecimal creditsPerUsd) {
        Objects.requireNonNull(availableCredit, "availableCredit");
        BigDecimal need = quotaToCredits(estimateQuota, creditsPerUsd);
        return decide(CREDITS, availableCredit, need);
    }

    /** Compares a local quota with the estimate, both in quota units (the seed's {@code local} fallback). */
    public static CheckDecision quota(long estimateQuota, long remainingQuota) {
        requireEstimate(estimateQuota);
        return decide(QUOTA, BigDecimal.valueOf(remainingQuota), BigDecimal.valueOf(estimateQuota));
    }

    /**
     * A refusal decided by the platform (a 402 on a hold): refused whatever the numbers say, with the platform's
     * available credit in the message ({@code null} is shown as 0).
     */
    public static CheckDecision refused(long estimateQuota, BigDecimal availableCredit, BigDecimal creditsPerUsd) {
        BigDecimal need = quotaToCredits(estimateQuota, creditsPerUsd);
        BigDecimal remaining = availableCredit == null ? BigDecimal.ZERO : availableCredit;
        return new CheckDecision(false, CREDITS, remaining, need, message(CREDITS, remaining, need));
    }

    /** {@code quota / 500,000} USD, exact (scale 6); the pricing library's {@link QuotaUnits#quotaToUsd}. */
    public static BigDecimal quotaToUsd(long quota) {
        requireEstimate(quota);
        return QuotaUnits.quotaToUsd(quota);
    }

    /**
     * {@code quota / 500,000 * creditsPerUsd} credits at scale 6 (half up; exact for integer rates): the pricing
     * library's {@link QuotaUnits#quotaToCredits}, so that the gateway converts one way everywhere.
     */
    public static BigDecimal quotaToCredits(long quota, BigDecimal creditsPerUsd) {
        Objects.requireNonNull(creditsPerUsd, "creditsPerUsd");
        if (creditsPerUsd.signum() <= 0) {
            throw new IllegalArgumentException("creditsPerUsd: " + creditsPerUsd.toPlainString() + " (expected: > 0)");
        }
        requireEstimate(quota);
        return QuotaUnits.quotaToCredits(quota, creditsPerUsd);
    }

    /** Formats an amount as the messages do: plain, without trailing zeros ({@code 12.345678}, {@code 0}). */
    public static String plain(BigDecimal amount) {
        return amount.signum() == 0 ? "0" : amount.stripTrailingZeros().toPlainString();
    }

    private static CheckDecision decide(String unit, BigDecimal remaining, BigDecimal need) {
        boolean allowed = remaining.signum() > 0 && remaining.compareTo(need) >= 0;
        return new CheckDecision(allowed, unit, remaining, need, allowed ? null : message(unit, remaining, need));
    }

    private static String message(String unit, BigDecimal remaining, BigDecimal need) {
        return "user quota insufficient, remaining: " + plain(remaining) + " " + unit + ", need: " + plain(need) + " "
                + unit;
    }

    private static void requireEstimate(long estimateQuota) {
        if (estimateQuota < 0) {
            throw new IllegalArgumentException("estimateQuota: " + estimateQuota + " (expected: >= 0)");
        }
    }
}
