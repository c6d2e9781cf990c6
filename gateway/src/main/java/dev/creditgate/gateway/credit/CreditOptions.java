package dev.creditgate.gateway.credit;

import java.util.Arrays;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.gateway.option.OptionService;
import org.springframework.stereotype.Component;

/**
 * The credit options (SPEC 3.3) as typed values, read from {@link OptionService} on every request (a change applies
 * to the next request; parsing happens only when a raw value changed). A malformed value makes the getter throw,
 * naming the option; the client and the fallback turn that into an {@link Unavailable} answer / a 503.
 */
@Component
public class CreditOptions {

    public static final String OPT_WEBHOOK_URL = "letaicode_webhook_url";
    public static final String OPT_WEBHOOK_SECRET = "letaicode_webhook_secret";

    private static final String[] PLATFORM_KEYS = {CreditPlatformSettings.OPT_DOMAIN,
            CreditPlatformSettings.OPT_ADMIN_TOKEN, CreditPlatformSettings.OPT_TIMEOUT_MS,
            CreditPlatformSettings.OPT_RETRIES, CreditPlatformSettings.OPT_CREDITS_PER_USD};
    private static final String[] FALLBACK_KEYS = {FallbackSettings.OPT_FALLBACK, FallbackSettings.OPT_ALLOWANCE,
            CreditPlatformSettings.OPT_CREDITS_PER_USD};

    private final OptionService options;
    private volatile Cached<CreditPlatformSettings> platform = Cached.empty();
    private volatile Cached<FallbackSettings> fallback = Cached.empty();

    CreditOptions(OptionService options) {
        this.options = options;
    }

    /** {@code letaicode_domain}, {@code _admin_token}, {@code _timeout_ms}, {@code _retries}, {@code _credits_per_usd}. */
    public CreditPlatformSettings platform() {
        String[] raw = raw(PLATFORM_KEYS);
        Cached<CreditPlatformSettings> c = platform;
        if (!Arrays.equals(c.raw, raw)) {
            c = Cached.of(raw, () -> CreditPlatformSettings.fromOptions(k -> options.get(k, null)));
            platform = c;
        }
        return c.get();
    }

    /** {@code letaicode_fallback}, {@code _fallback_allowance}, {@code _credits_per_usd}. */
    public FallbackSettings fallback() {
        String[] raw = raw(FALLBACK_KEYS);
        Cached<FallbackSettings> c = fallback;
        if (!Arrays.equals(c.raw, raw)) {
            c = Cached.of(raw, () -> FallbackSettings.fromOptions(k -> options.get(k, null)));
            fallback = c;
        }
        return c.get();
    }

    /** {@code letaicode_credit_mode} (default reserve). */
    public static final String OPT_OUTPUT_CAP = "letaicode_output_cap";
    public static final String OPT_MIN_OUTPUT = "letaicode_min_output_tokens";
    public static final int DEFAULT_MIN_OUTPUT = 256;

    /** {@code letaicode_output_cap}: {@code clamp} (default), {@code refuse} or {@code off}. */
    public dev.creditgate.gateway.admission.OutputCap outputCap() {
        try {
            return dev.creditgate.gateway.admission.OutputCap.parse(options.get(OPT_OUTPUT_CAP, null),
                    dev.creditgate.gateway.admission.OutputCap.CLAMP);
        } catch (IllegalArgumentException e) {
            return dev.creditgate.gateway.admission.OutputCap.CLAMP; // validated on write; a hand-edited row
        }
    }

    /** {@code letaicode_min_output_tokens}: below this affordable output a clamped request is refused. */
    public int minOutputTokens() {
        return Math.max(1, options.getInt(OPT_MIN_OUTPUT, DEFAULT_MIN_OUTPUT));
    }

    public static final String OPT_LEASE = "letaicode_lease";

    /** {@code letaicode_lease}: {@code on} (default) spends credit leases in reserve mode, {@code off} holds per request. */
    public boolean leases() {
        String v = options.get(OPT_LEASE, null);
        return v == null || v.isBlank() || !v.strip().equalsIgnoreCase("off");
    }

    public CreditMode mode() {
        return CreditMode.parse(options.get(CreditMode.OPTION, null));
    }

    /** {@code letaicode_webhook_url}, default {@code {letaicode_domain}/api/webhooks/usage}; empty when neither is set. */
    public String webhookUrl() {
        String url = options.get(OPT_WEBHOOK_URL, null);
        if (url != null && !url.isBlank()) {
            return url.strip();
        }
        String domain = options.get(CreditPlatformSettings.OPT_DOMAIN, null);
        if (domain == null || domain.isBlank()) {
            return "";
        }
        String d = domain.strip();
        while (d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d + CreditApi.WEBHOOK_PATH;
    }

    /** {@code letaicode_webhook_secret}; empty when not set (webhooks then wait in the outbox). */
    public String webhookSecret() {
        String s = options.get(OPT_WEBHOOK_SECRET, null);
        return s == null ? "" : s.strip();
    }

    private String[] raw(String[] keys) {
        String[] raw = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            raw[i] = options.get(keys[i], null);
        }
        return raw;
    }

    /** A parsed value or the error it gave, for one set of raw strings. */
    private record Cached<T>(String[] raw, T value, RuntimeException error) {
        static <T> Cached<T> empty() {
            return new Cached<>(null, null, new IllegalStateException("not read yet"));
        }

        static <T> Cached<T> of(String[] raw, java.util.function.Supplier<T> parse) {
            try {
                return new Cached<>(raw, parse.get(), null);
            } catch (RuntimeException e) {
                return new Cached<>(raw, null, e);
            }
        }

        T get() {
            if (error != null) {
                throw new IllegalArgumentException(error.getMessage(), error);
            }
            return value;
        }
    }
}
