package dev.creditgate.gateway.pricing;

import java.util.Objects;

/**
 * The tokens one request is charged for.
 *
 * @param promptTokens     all input tokens, the cached ones included
 * @param completionTokens output tokens (reasoning included, as the upstreams count them)
 * @param cache            the cached part of {@code promptTokens}
 */
public record TokenUsage(int promptTokens, int completionTokens, CacheTokens cache) {

    public TokenUsage {
        Price.requireTokens("promptTokens", promptTokens);
        Price.requireTokens("completionTokens", completionTokens);
        Objects.requireNonNull(cache, "cache");
    }

    public TokenUsage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, CacheTokens.NONE);
    }

    /** Input tokens not read from or written to the cache: priced at the full input price. */
    public int uncachedPromptTokens() {
        return (int) Math.max(0, promptTokens - cache.total());
    }

    public long totalTokens() {
        return (long) promptTokens + completionTokens;
    }
}
