package dev.creditgate.gateway.credit;

import java.util.Locale;

/** {@code letaicode_fallback}: what to do when the credit platform is unavailable (SPEC 3.3, 4.4). */
public enum FallbackMode {
    /** The seed's: the last known balance of the key if cached, else the owner's local quota. */
    LOCAL,
    /** 503 {@code credit_service_unavailable}. */
    DENY,
    /** Let requests through, bounded by {@code letaicode_fallback_allowance} credits per key per outage. */
    ALLOW;

    /** The option value: {@code local}, {@code deny}, {@code allow}. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an option value (case-insensitive); blank = {@link #LOCAL}. */
    public static FallbackMode parse(String value) {
        if (value == null || value.isBlank()) {
            return LOCAL;
        }
        for (FallbackMode m : values()) {
            if (m.option().equalsIgnoreCase(value.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException(FallbackSettings.OPT_FALLBACK + ": " + value
                + " (expected: local, deny or allow)");
    }
}
