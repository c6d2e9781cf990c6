package dev.creditgate.gateway.pricing;

/**
 * The cached part of a request's input, as the upstream reported it. Every count is a part of the input (prompt)
 * tokens, not in addition to them: an Anthropic answer with {@code input_tokens 100, cache_read_input_tokens 10000,
 * cache_creation_input_tokens 1000} has 11,100 input tokens of which 10,000 were read from and 1,000 written to the
 * cache; an OpenAI answer's {@code prompt_tokens} already includes its {@code cached_tokens}.
 *
 * @param read    tokens read from the prompt cache (Anthropic {@code cache_read_input_tokens}, OpenAI
 *                {@code prompt_tokens_details.cached_tokens} / {@code input_tokens_details.cached_tokens})
 * @param write   tokens written to the cache at the default (5-minute) lifetime
 * @param write1h tokens written to the cache with the 1-hour lifetime
 *                ({@code cache_creation.ephemeral_1h_input_tokens})
 */
public record CacheTokens(int read, int write, int write1h) {

    public static final CacheTokens NONE = new CacheTokens(0, 0, 0);

    public CacheTokens {
        if (read < 0 || write < 0 || write1h < 0) {
            throw new IllegalArgumentException("cache tokens: " + read + "/" + write + "/" + write1h
                    + " (expected: >= 0)");
        }
    }

    /** All cached input tokens (read and written). */
    public long total() {
        return (long) read + write + write1h;
    }

    public boolean isNone() {
        return read == 0 && write == 0 && write1h == 0;
    }

    /** Anthropic's split of {@code cache_creation_input_tokens} into 5-minute and 1-hour writes. */
    public static CacheTokens anthropic(int read, int creation, int creation1h) {
        int oneHour = Math.min(Math.max(0, creation1h), Math.max(0, creation));
        return new CacheTokens(Math.max(0, read), Math.max(0, creation) - oneHour, oneHour);
    }
}
