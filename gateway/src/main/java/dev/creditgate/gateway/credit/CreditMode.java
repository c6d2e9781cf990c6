package dev.creditgate.gateway.credit;

import java.util.Locale;

/** {@code letaicode_credit_mode} (SPEC 3.3). */
public enum CreditMode {
    /** The seed's: a balance query before, a usage webhook after. */
    CHECK,
    /** A hold for the estimate before, a capture (or release) after. The default. */
    RESERVE;

    public static final String OPTION = "letaicode_credit_mode";

    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Blank = {@link #RESERVE}; unknown values throw naming the option. */
    public static CreditMode parse(String value) {
        if (value == null || value.isBlank()) {
            return RESERVE;
        }
        for (CreditMode m : values()) {
            if (m.option().equalsIgnoreCase(value.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException(OPTION + ": " + value + " (expected: check or reserve)");
    }
}
