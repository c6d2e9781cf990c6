package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Units of the gateway: quota (an integer, new-api's unit), USD and credits, with exact conversions.
 *
 * <p>500,000 quota = 1 USD (new-api's {@code QuotaPerUnit}), so one quota is 0.000002 USD and every
 * quota amount is an exact USD amount with 6 fractional digits. Model ratio 1 = 2 USD per 1M tokens,
 * i.e. one token at ratio 1 costs one quota.
 */
public final class QuotaUnits {

    /** new-api's QuotaPerUnit: quota per US dollar. */
    public static final long QUOTA_PER_USD = 500_000L;

    /** Fractional digits of USD amounts derived from quota (1 quota = 0.000002 USD). */
    public static final int USD_SCALE = 6;

    /** Fractional digits of credit amounts (the platform stores micro-credits). */
    public static final int CREDIT_SCALE = 6;

    static final BigDecimal QUOTA_PER_USD_DECIMAL = BigDecimal.valueOf(QUOTA_PER_USD);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

    private QuotaUnits() {
    }

    /** Quota to USD, exact, scale 6: {@code 1 -> 0.000002}, {@code 500000 -> 1.000000}. */
    public static BigDecimal quotaToUsd(long quota) {
        // quota / 500000 = quota * 2 / 10^6: exact with 6 fractional digits.
        return new BigDecimal(BigInteger.valueOf(quota).shiftLeft(1), USD_SCALE);
    }

    /** Raw (unrounded) quota to USD, exact: {@code raw / 500,000}, i.e. {@code raw x 2 / 10^6}. */
    public static BigDecimal rawQuotaToUsd(BigDecimal rawQuota) {
        Objects.requireNonNull(rawQuota, "rawQuota");
        return rawQuota.multiply(BigDecimal.TWO).movePointLeft(USD_SCALE);
    }

    /** USD to raw (unrounded) quota, exact: {@code usd x 500,000}. */
    public static BigDecimal usdToRawQuota(BigDecimal usd) {
        Objects.requireNonNull(usd, "usd");
        return usd.multiply(QUOTA_PER_USD_DECIMAL);
    }

    /**
     * USD to quota, {@code usd x 500,000} rounded with {@code mode} (use {@link RoundingMode#UNNECESSARY}
     * to insist on an exact result). Throws {@link ArithmeticException} if it does not fit a long.
     */
    public static long usdToQuota(BigDecimal usd, RoundingMode mode) {
        Objects.requireNonNull(usd, "usd");
        Objects.requireNonNull(mode, "mode");
        return usd.multiply(QUOTA_PER_USD_DECIMAL).setScale(0, mode).longValueExact();
    }

    /**
     * USD to credits at {@code creditsPerUsd}, scale 6, rounded half away from zero
     * ({@link RoundingMode#HALF_UP}). Exact whenever {@code creditsPerUsd} is an integer.
     */
    public static BigDecimal usdToCredits(BigDecimal usd, BigDecimal creditsPerUsd) {
        return usdToCredits(usd, creditsPerUsd, RoundingMode.HALF_UP);
    }

    /** USD to credits at {@code creditsPerUsd}, scale 6, rounded with {@code mode}. */
    public static BigDecimal usdToCredits(BigDecimal usd, BigDecimal creditsPerUsd, RoundingMode mode) {
        Objects.requireNonNull(usd, "usd");
        requirePositiveRate(creditsPerUsd);
        return usd.multiply(creditsPerUsd).setScale(CREDIT_SCALE, mode);
    }

    /** Quota to credits at {@code creditsPerUsd}: {@code usdToCredits(quotaToUsd(quota), rate)}. */
    public static BigDecimal quotaToCredits(long quota, BigDecimal creditsPerUsd) {
        return usdToCredits(quotaToUsd(quota), creditsPerUsd);
    }

    /** Credits to USD at {@code creditsPerUsd}, scale 6, rounded with {@code mode}. */
    public static BigDecimal creditsToUsd(BigDecimal credits, BigDecimal creditsPerUsd, RoundingMode mode) {
        Objects.requireNonNull(credits, "credits");
        requirePositiveRate(creditsPerUsd);
        return credits.divide(creditsPerUsd, USD_SCALE, mode);
    }

    /** Micro-units (credits x 10^6) of a credit amount with at most 6 fractional digits. */
    public static long toMicros(BigDecimal amount) {
        return amount.movePointRight(CREDIT_SCALE).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    /** Credit amount of a micro-unit count, scale 6. */
    public static BigDecimal fromMicros(long micros) {
        return BigDecimal.valueOf(micros, CREDIT_SCALE);
    }

    /** Converts an integral BigDecimal to long, saturating at the long range instead of wrapping. */
    static long saturatedLong(BigDecimal integral) {
        if (integral.compareTo(LONG_MAX) > 0) {
            return Long.MAX_VALUE;
        }
        if (integral.compareTo(LONG_MIN) < 0) {
            return Long.MIN_VALUE;
        }
        return integral.longValueExact();
    }

    private static void requirePositiveRate(BigDecimal creditsPerUsd) {
        Objects.requireNonNull(creditsPerUsd, "creditsPerUsd");
        if (creditsPerUsd.signum() <= 0) {
            throw new IllegalArgumentException("creditsPerUsd: " + creditsPerUsd.toPlainString() + " (expected: > 0)");
        }
    }
}
