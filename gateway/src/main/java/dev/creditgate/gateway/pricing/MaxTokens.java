package dev.creditgate.gateway.pricing;

import java.util.OptionalInt;

import tools.jackson.databind.JsonNode;

/**
 * Reads the output-token limit of a request body: {@code max_tokens} and {@code max_completion_tokens}
 * (OpenAI chat; the larger wins, as new-api's {@code GetTokenCountMeta}), {@code max_output_tokens}
 * (OpenAI Responses) and {@code max_tokens} (Anthropic Messages).
 */
public final class MaxTokens {

    static final String[] FIELDS = {"max_tokens", "max_completion_tokens", "max_output_tokens"};

    private MaxTokens() {
    }

    /**
     * The largest positive limit among the known fields, or empty when none is set. 0 and JSON null count
     * as "not set" (new-api adds nothing for 0).
     *
     * @throws IllegalArgumentException naming the field and value when a limit is negative, fractional,
     *                                  not a number, or larger than an int, e.g. {@code max_tokens: -5 (expected: >= 1)}
     */
    public static OptionalInt of(JsonNode body) {
        if (body == null || !body.isObject()) {
            return OptionalInt.empty();
        }
        int best = 0;
        for (String field : FIELDS) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isNumber()) {
                throw new IllegalArgumentException(field + ": " + abbreviate(value) + " (expected: an integer >= 1)");
            }
            if (!value.canConvertToExactIntegral()) {
                throw new IllegalArgumentException(field + ": " + abbreviate(value) + " (expected: an integer >= 1)");
            }
            if (!value.canConvertToInt()) {
                throw new IllegalArgumentException(field + ": " + abbreviate(value) + " (expected: <= " + Integer.MAX_VALUE + ")");
            }
            int n = value.asInt();
            if (n < 0) {
                throw new IllegalArgumentException(field + ": " + n + " (expected: >= 1)");
            }
            best = Math.max(best, n);
        }
        return best > 0 ? OptionalInt.of(best) : OptionalInt.empty();
    }

    /**
     * A Gemini body's {@code generationConfig.maxOutputTokens}, or null when it names none (or 0).
     *
     * @throws IllegalArgumentException as {@link #of}, naming {@code generationConfig.maxOutputTokens}
     */
    public static Integer gemini(JsonNode body) {
        JsonNode config = body == null ? null : body.get("generationConfig");
        if (config == null || !config.isObject()) {
            return null;
        }
        JsonNode value = config.get("maxOutputTokens");
        if (value == null || value.isNull()) {
            return null;
        }
        String field = "generationConfig.maxOutputTokens";
        if (!value.isNumber() || !value.canConvertToExactIntegral()) {
            throw new IllegalArgumentException(field + ": " + abbreviate(value) + " (expected: an integer >= 1)");
        }
        if (!value.canConvertToInt()) {
            throw new IllegalArgumentException(field + ": " + abbreviate(value) + " (expected: <= " + Integer.MAX_VALUE + ")");
        }
        int n = value.asInt();
        if (n < 0) {
            throw new IllegalArgumentException(field + ": " + n + " (expected: >= 1)");
        }
        return n > 0 ? n : null;
    }

    /** {@link #of} as a nullable Integer, the form {@link Pricer#estimate} takes. */
    public static Integer orNull(JsonNode body) {
        OptionalInt max = of(body);
        return max.isPresent() ? max.getAsInt() : null;
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
