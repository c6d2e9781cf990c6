package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.function.Function;

/**
 * How to reach the credit platform, read again on every call (SPEC 3.3): a change of any option,
 * including the domain, takes effect on the next call.
 *
 * @param domain        base URL of the credit platform ({@code letaicode_domain}), without trailing slash; empty = not configured
 * @param adminToken    sent as {@code X-API-Key} ({@code letaicode_admin_token}); empty = not configured; never logged
 * @param timeout       deadline of one whole call, retry included ({@code letaicode_timeout_ms}, default 2000 ms)
 * @param retries       retries on transport errors and 5xx, inside the deadline ({@code letaicode_retries}, default 1)
 * @param creditsPerUsd rate used when an answer carries none ({@code letaicode_credits_per_usd}, default 100)
 */
public record CreditPlatformSettings(String domain, String adminToken, Duration timeout, int retries,
                                     BigDecimal creditsPerUsd) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(2000);
    public static final int DEFAULT_RETRIES = 1;
    public static final BigDecimal DEFAULT_CREDITS_PER_USD = BigDecimal.valueOf(100);

    public static final String OPT_DOMAIN = "letaicode_domain";
    public static final String OPT_ADMIN_TOKEN = "letaicode_admin_token";
    public static final String OPT_TIMEOUT_MS = "letaicode_timeout_ms";
    public static final String OPT_RETRIES = "letaicode_retries";
    public static final String OPT_CREDITS_PER_USD = "letaicode_credits_per_usd";

    public CreditPlatformSettings {
        domain = domain == null ? "" : stripTrailingSlashes(domain.strip());
        adminToken = adminToken == null ? "" : adminToken.strip();
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        creditsPerUsd = creditsPerUsd == null ? DEFAULT_CREDITS_PER_USD : creditsPerUsd;
        // the same bounds as the option validator: the deadline bounds the retries whatever their number
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException(OPT_TIMEOUT_MS + ": " + timeout.toMillis() + " (expected: >= 1)");
        }
        if (retries < 0) {
            throw new IllegalArgumentException(OPT_RETRIES + ": " + retries + " (expected: >= 0)");
        }
        if (creditsPerUsd.signum() <= 0) {
            throw new IllegalArgumentException(OPT_CREDITS_PER_USD + ": " + creditsPerUsd.toPlainString()
                    + " (expected: > 0)");
        }
        if (!domain.isEmpty()) {
            URI uri;
            try {
                uri = URI.create(domain);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(OPT_DOMAIN + ": " + domain + " (expected: an http(s) URL)");
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(OPT_DOMAIN + ": " + domain + " (expected: an http(s) URL)");
            }
        }
    }

    /** Settings with the defaults for everything but the two required options. */
    public static CreditPlatformSettings of(String domain, String adminToken) {
        return new CreditPlatformSettings(domain, adminToken, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_CREDITS_PER_USD);
    }

    /**
     * Reads the gateway options by name ({@code letaicode_domain}, ...); a missing or blank option takes its default.
     *
     * @throws IllegalArgumentException naming the option when a value is malformed (the client turns it into
     *                                  an {@link Unavailable} answer)
     */
    public static CreditPlatformSettings fromOptions(Function<String, String> option) {
        return new CreditPlatformSettings(
                option.apply(OPT_DOMAIN),
                option.apply(OPT_ADMIN_TOKEN),
                Duration.ofMillis(parseLong(option, OPT_TIMEOUT_MS, DEFAULT_TIMEOUT.toMillis())),
                (int) Math.min(Integer.MAX_VALUE, parseLong(option, OPT_RETRIES, DEFAULT_RETRIES)),
                parseDecimal(option, OPT_CREDITS_PER_USD, DEFAULT_CREDITS_PER_USD));
    }

    /** True when both the domain and the admin token are set. */
    public boolean configured() {
        return !domain.isEmpty() && !adminToken.isEmpty();
    }

    /** The names of the missing required options, e.g. {@code "letaicode_domain, letaicode_admin_token"}. */
    public String missing() {
        StringBuilder sb = new StringBuilder();
        if (domain.isEmpty()) {
            sb.append(OPT_DOMAIN);
        }
        if (adminToken.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(OPT_ADMIN_TOKEN);
        }
        return sb.toString();
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "CreditPlatformSettings[domain=" + domain + ", adminToken=" + (adminToken.isEmpty() ? "<empty>" : "****")
                + ", timeout=" + timeout.toMillis() + "ms, retries=" + retries
                + ", creditsPerUsd=" + creditsPerUsd.toPlainString() + "]";
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }

    private static long parseLong(Function<String, String> option, String name, long fallback) {
        String raw = option.apply(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + raw + " (expected: an integer)");
        }
    }

    private static BigDecimal parseDecimal(Function<String, String> option, String name, BigDecimal fallback) {
        String raw = option.apply(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return new BigDecimal(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + raw + " (expected: a decimal number)");
        }
    }
}
