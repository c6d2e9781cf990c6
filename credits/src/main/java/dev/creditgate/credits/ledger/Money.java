package dev.creditgate.credits.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Credit amounts: exact decimals with 6 fractional digits, stored as {@code long} micro-credits.
 * USD converts to credits as {@code usd x creditsPerUsd}, rounded HALF_UP to 6 decimals (a micro-credit).
 */
public final class Money {

    public static final int SCALE = 6;
    /** Largest credit amount accepted in one operation: 10^12 credits (10^18 micro-credits fit a BIGINT). */
    public static final BigDecimal MAX_CREDITS = new BigDecimal("1000000000000");

    private Money() {
    }

    /** Micro-credits for a USD amount at a rate, HALF_UP at 6 decimals. */
    public static long usdToMicros(BigDecimal usd, BigDecimal creditsPerUsd) {
        return creditsToMicros(usd.multiply(creditsPerUsd).setScale(SCALE, RoundingMode.HALF_UP));
    }

    /** Micro-credits of an exact credit amount with at most 6 decimals. */
    public static long creditsToMicros(BigDecimal credits) {
        return credits.setScale(SCALE, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
    }

    /** Credits as a JSON-friendly decimal: at most 6 decimals, no trailing zeros, never exponent notation. */
    public static BigDecimal toCredits(long micros) {
        BigDecimal d = BigDecimal.valueOf(micros, SCALE).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    /** A decimal without trailing zeros and without exponent notation (for rates and USD echoes). */
    public static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
