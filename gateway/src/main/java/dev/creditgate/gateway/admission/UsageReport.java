package dev.creditgate.gateway.admission;

/**
 * What the relay observed, handed to {@link Admitted#settle}.
 *
 * @param promptTokens       the upstream's reported prompt/input tokens, or null when it reported none
 * @param completionTokens   the upstream's reported completion/output tokens, or null
 * @param totalTokens        the upstream's reported total, or null
 * @param deliveredText      the generated text that reached (or was sent towards) the client: for streams the
 *                           concatenated deltas, for non-streams the message content; for estimating when the
 *                           upstream sent no usage. Never null (empty when none)
 * @param anyByteDelivered   whether any byte of the answer was written to the client
 * @param clientDisconnected whether the client went away before the answer was complete
 */
public record UsageReport(
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        String deliveredText,
        boolean anyByteDelivered,
        boolean clientDisconnected) {

    public UsageReport {
        deliveredText = deliveredText == null ? "" : deliveredText;
    }

    /** Whether the upstream reported usage (at least prompt or completion tokens). */
    public boolean hasUpstreamUsage() {
        return promptTokens != null || completionTokens != null;
    }
}
