package dev.creditgate.gateway.pricing;

/**
 * A pricing option value ({@code ModelRatio}, {@code CompletionRatio}, {@code GroupRatio}, {@code ModelPrice})
 * that cannot be used. The message names the option key and the offending value, e.g.
 * {@code ModelRatio: "gpt-4o": -1 (expected: a number >= 0)}.
 */
public final class PricingOptionException extends IllegalArgumentException {

    private final String key;

    PricingOptionException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /** The option key whose value was rejected. */
    public String key() {
        return key;
    }
}
