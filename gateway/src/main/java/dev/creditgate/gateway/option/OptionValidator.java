package dev.creditgate.gateway.option;

/**
 * Checks a value before {@code PUT /api/option/} stores it. Every bean of this type is asked for every write;
 * one that does not know the key returns without complaint. Throw {@link IllegalArgumentException} with a message
 * naming the value and what was expected ({@code "letaicode_timeout_ms: -5 (expected: >= 1)"}); it becomes a 400.
 */
@FunctionalInterface
public interface OptionValidator {
    void validate(String key, String value);
}
