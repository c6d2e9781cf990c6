package dev.creditgate.gateway.admission;

import java.util.Objects;

import dev.creditgate.gateway.pricing.CacheTokens;

/**
 * What the relay observed, handed to {@link Admitted#settle}.
 *
 * @param promptTokens       the upstream's reported input tokens, cache reads and writes included (Anthropic:
 *                           {@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens}; OpenAI:
 *                           {@code prompt_tokens} / {@code input_tokens}), or null when it reported none
 * @param completionTokens   the upstream's reported completion/output tokens, or null
 * @param totalTokens        the upstream's reported total, or null
 * @param cache              the cached part of {@code promptTokens} ({@link CacheTokens#NONE} when none)
 * @param deliveredText      the generated text that reached (or was sent towards) the client: for streams the
 *                           concatenated deltas, for non-streams the message content; for estimating when the
 *                           upstream sent no usage. Never null (empty when none)
 * @param anyByteDelivered   whether any byte of the answer was written to the client
 * @param clientDisconnected whether the client went away before the answer was complete
 * @param answerReceived     whether the upstream's whole answer was received (a non-stream body read to its end):
 *                           such an answer is billed upstream, so it is charged even when the client left before
 *                           it could be written
 */
public record UsageReport(
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        CacheTokens cache,
        String deliveredText,
        boolean anyByteDelivered,
        boolean clientDisconnected,
        boolean answerReceived) {

    public UsageReport {
        deliveredText = deliveredText == null ? "" : deliveredText;
        cache = Objects.requireNonNullElse(cache, CacheTokens.NONE);
    }

    /** A report without cache tokens, for a stream (the answer counts as received when something was delivered). */
    public UsageReport(Integer promptTokens, Integer completionTokens, Integer totalTokens, String deliveredText,
                       boolean anyByteDelivered, boolean clientDisconnected) {
        this(promptTokens, completionTokens, totalTokens, CacheTokens.NONE, deliveredText, anyByteDelivered,
                clientDisconnected, false);
    }

    /** Whether the upstream reported usage (at least prompt or completion tokens). */
    public boolean hasUpstreamUsage() {
        return promptTokens != null || completionTokens != null;
    }
}
