package dev.creditgate.gateway.relay;

import java.util.Objects;

import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.CacheTokens;

/**
 * The token counts an upstream reported, read from its wire format's usage JSON (what was charged for is
 * {@link dev.creditgate.gateway.pricing.TokenUsage}).
 *
 * @param prompt     all input tokens, the cached ones included, or null when not reported
 * @param completion output tokens, or null
 * @param total      the reported total, or null
 * @param cache      the cached part of {@code prompt}
 */
public record ReportedUsage(Integer prompt, Integer completion, Integer total, CacheTokens cache) {

    public static final ReportedUsage NONE = new ReportedUsage(null, null, null, CacheTokens.NONE);

    public ReportedUsage {
        cache = Objects.requireNonNullElse(cache, CacheTokens.NONE);
    }

    /** The report for settlement, with what the relay saw of the answer. */
    public UsageReport report(String deliveredText, boolean anyByteDelivered, boolean clientDisconnected,
                              boolean answerReceived) {
        return new UsageReport(prompt, completion, total, cache, deliveredText, anyByteDelivered, clientDisconnected,
                answerReceived);
    }
}
