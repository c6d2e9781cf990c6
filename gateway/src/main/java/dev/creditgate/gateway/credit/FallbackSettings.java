package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.function.Function;

/**
 * Fallback options, read on every decision.
 *
 * @param mode             {@code letaicode_fallback} (default {@code local})
 * @param allowanceCredits {@code letaicode_fallback_allowance}: credits a key may spend per outage under
 *                         {@code allow} (default 100 = 1 USD at the default rate)
 * @param creditsPerUsd    {@code letaicode_credits_per_usd}: converts estimates when no platform rate is known
 */
public record FallbackSettings(FallbackMode mode, BigDecimal allowanceCredits, BigDecimal creditsPerUsd) {

    public static final String OPT_FALLBACK = "letaicode_fallback";
    public static final String OPT_ALLOWANCE = "letaicode_fallback_allowance";
    public static final BigDecimal DEFAULT_ALLOWANCE = BigDecimal.valueOf(100);
    public static final FallbackSettings DEFAULTS = new FallbackSettings(FallbackMode.LOCAL, DEFAULT_ALLOWANCE,
            CreditPlatformSettings.DEFAULT_CREDITS_PER_USD);

    public FallbackSettings {
        Objects.requireNonNull(mode, "mode");
        allowanceCredits = allowanceCredits == null ? DEFAULT_ALLOWANCE : allowanceCredits;
        creditsPerUsd = creditsPerUsd == null ? CreditPlatformSettings.DEFAULT_CREDITS_PER_USD : creditsPerUsd;
        if (allowanceCredits.signum() < 0) {
            throw new IllegalArgumentException(OPT_ALLOWANCE + ": " + allowanceCredits.toPlainString()
                    + " (expected: >= 0)");
        }
        if (creditsPerUsd.signum() <= 0) {
            throw new IllegalArgumentException(CreditPlatformSettings.OPT_CREDITS_PER_USD + ": "
                    + creditsPerUsd.toPlainString() + " (expected: > 0)");
        }
    }

    /** Reads the options by name; blank = default; malformed = {@link IllegalArgumentException} naming the option. */
    public static FallbackSettings fromOptions(Function<String, String> option) {
        return new FallbackSettings(FallbackMode.parse(option.apply(OPT_FALLBACK)),
                decimal(option, OPT_ALLOWANCE), decimal(option, CreditPlatformSettings.OPT_CREDITS_PER_USD));
    }

    private static BigDecimal decimal(Function<String, String> option, String name) {
        String raw = option.apply(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + raw + " (expected: a decimal number)");
        }
    }
}
