package dev.creditgate.gateway.admission;

import java.util.Locale;

/**
 * How a request's output limit is bounded by what its owner can pay ({@code letaicode_output_cap},
 * {@code native_output_cap}).
 */
public enum OutputCap {
    /** Reserve the worst case; when the credit does not cover it, lower the limit sent upstream to what it does. */
    CLAMP,
    /** Reserve the worst case; when the credit does not cover it, answer 403 naming the affordable output. */
    REFUSE,
    /** new-api's estimate ({@code max(prompt, 500) + max_tokens} at the input price); a capture above it is debt. */
    OFF;

    /** The option's value: {@code clamp}, {@code refuse}, {@code off}. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static OutputCap parse(String value, OutputCap absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "clamp" -> CLAMP;
            case "refuse" -> REFUSE;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("output cap: \"" + value + "\" (expected: clamp, refuse or off)");
        };
    }
}
