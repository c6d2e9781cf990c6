package dev.creditgate.gateway.option;

import java.util.Locale;
import java.util.Set;

import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.ratelimit.RateLimitOptions;

/**
 * The options of SPEC 3.3 and what each accepts (pricing JSON through {@link PricingConfig#validate}). Keys not
 * listed here are stored as given; other packages add checks with an {@link OptionValidator} bean.
 */
final class KnownOptions {

    private KnownOptions() {}

    static void validate(String key, String value) {
        switch (key) {
            case "letaicode_credit_mode" -> oneOf(key, value, Set.of("check", "reserve"));
            case "letaicode_lease" -> oneOf(key, value, Set.of("on", "off"));
            case "letaicode_fallback" -> oneOf(key, value, Set.of("local", "deny", "allow"));
            case "letaicode_timeout_ms" -> atLeast(key, value, 1);
            case "letaicode_retries" -> atLeast(key, value, 0);
            case "letaicode_fallback_allowance" -> nonNegativeDecimal(key, value);
            case "letaicode_credits_per_usd" -> positiveDecimal(key, value);
            case "letaicode_output_cap", "native_output_cap" -> oneOf(key, value, Set.of("clamp", "refuse", "off"));
            case "letaicode_min_output_tokens", "native_min_output_tokens" -> atLeast(key, value, 1);
            case "letaicode_domain", "letaicode_webhook_url" -> url(key, value);
            case "letaicode_admin_token", "letaicode_webhook_secret" -> secret(key, value);
            // rate limits (dev.creditgate.gateway.ratelimit): new-api's names, then ours; 0 = no limit
            case "ModelRequestRateLimitEnabled" -> oneOf(key, value, Set.of("true", "false"));
            case "ModelRequestRateLimitDurationMinutes" -> between(key, value, 1, 1440);
            case "ModelRequestRateLimitCount", "ModelRequestRateLimitSuccessCount",
                 "rate_limit_key_rpm", "rate_limit_key_tpm", "rate_limit_key_concurrency",
                 "rate_limit_user_rpm", "rate_limit_user_tpm", "rate_limit_user_concurrency" ->
                    between(key, value, 0, Integer.MAX_VALUE);
            case "ModelRequestRateLimitGroup" -> RateLimitOptions.validateGroups(value).ifPresent(error -> {
                throw new IllegalArgumentException(error);
            });
            default -> {
                if (PricingConfig.isPricingKey(key)) { // ModelRatio, ..., CacheRatio, DefaultMaxOutputTokens
                    PricingConfig.validate(key, value).ifPresent(error -> {
                        throw new IllegalArgumentException(error);
                    });
                }
            }
        }
    }

    /** Empty clears a secret; otherwise as long as the platform's own secrets (SPEC 6: 32+ characters). */
    private static void secret(String key, String value) {
        if (!value.isEmpty() && value.length() < 32) {
            throw new IllegalArgumentException(key + ": " + value.length() + " characters (expected: empty, or >= 32)");
        }
    }

    private static void oneOf(String key, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: one of " + allowed + ")");
        }
    }

    private static void between(String key, String value, long min, long max) {
        atLeast(key, value, min);
        if (Long.parseLong(value.trim()) > max) {
            throw new IllegalArgumentException(key + ": " + value.trim() + " (expected: <= " + max + ")");
        }
    }

    private static void atLeast(String key, String value, long min) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: an integer >= " + min + ")");
        }
        if (v < min) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: >= " + min + ")");
        }
    }

    private static void positiveDecimal(String key, String value) {
        try {
            if (new java.math.BigDecimal(value.trim()).signum() > 0) {
                return;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: a decimal > 0)");
    }

    private static void nonNegativeDecimal(String key, String value) {
        try {
            if (new java.math.BigDecimal(value.trim()).signum() >= 0) {
                return;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: a decimal >= 0)");
    }

    private static void url(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.isEmpty() && !v.startsWith("http://") && !v.startsWith("https://")) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: empty or an http(s) URL)");
        }
    }
}
