package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The resolved price of one model for one group: a snapshot taken when a request is admitted, so that
 * its estimate and its settlement use the same numbers even if the options change in between (new-api
 * keeps the same snapshot in {@code RelayInfo.PriceData}).
 *
 * @param model            the model name the client sent (billing always uses it, not the mapped name)
 * @param group            the group whose ratio applies
 * @param kind             {@link Kind#RATIO} (per token) or {@link Kind#FIXED} ({@code ModelPrice}, per call)
 * @param modelRatio       model ratio (0 for fixed-price models)
 * @param completionRatio  completion ratio (1 for fixed-price models)
 * @param groupRatio       group ratio (1 for an unknown group)
 * @param modelPriceUsd    USD per call for fixed-price models, otherwise null
 * @param unpricedFallback true when the model has no price and {@code AllowUnpricedModels} supplied the ratio
 */
public record Price(String model, String group, Kind kind, BigDecimal modelRatio, BigDecimal completionRatio,
                    BigDecimal groupRatio, BigDecimal modelPriceUsd, boolean unpricedFallback) {

    /** Per-token ratio pricing or a fixed price per call. */
    public enum Kind { RATIO, FIXED }

    public Price {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(modelRatio, "modelRatio");
        Objects.requireNonNull(completionRatio, "completionRatio");
        Objects.requireNonNull(groupRatio, "groupRatio");
        if (kind == Kind.FIXED) {
            Objects.requireNonNull(modelPriceUsd, "modelPriceUsd");
        }
    }

    /** {@code modelRatio x groupRatio}; for a fixed-price model, 0 (as new-api's {@code ratio}). */
    public BigDecimal ratio() {
        return modelRatio.multiply(groupRatio);
    }

    /** Fixed-price quota before rounding: {@code ModelPrice x 500,000 x groupRatio}. */
    private BigDecimal fixedQuota() {
        return modelPriceUsd.multiply(QuotaUnits.QUOTA_PER_USD_DECIMAL).multiply(groupRatio);
    }

    /**
     * new-api's pre-consume quota: {@code (max(promptTokens, 500) + maxTokens) x modelRatio x groupRatio},
     * truncated toward zero (new-api's {@code QuotaFromFloatStrict}); {@code maxTokens} null or 0 adds nothing.
     * Fixed price: {@code ModelPrice x 500,000 x groupRatio}, truncated. Saturates at {@link Long#MAX_VALUE}.
     */
    public long estimate(int promptTokens, Integer maxTokens) {
        requireTokens("promptTokens", promptTokens);
        int max = maxTokensOrZero(maxTokens);
        if (kind == Kind.FIXED) {
            return QuotaUnits.saturatedLong(fixedQuota().setScale(0, RoundingMode.DOWN));
        }
        BigDecimal tokens = BigDecimal.valueOf(Math.max(promptTokens, Pricer.PRE_CONSUMED_TOKENS))
                .add(BigDecimal.valueOf(max));
        return QuotaUnits.saturatedLong(tokens.multiply(ratio()).setScale(0, RoundingMode.DOWN));
    }

    /**
     * Like {@link #estimate} but prices {@code maxTokens} at the completion ratio (new-api does not), rounded
     * up: {@code ceil((max(promptTokens, 500) + maxTokens x completionRatio) x modelRatio x groupRatio)}. When
     * the upstream reports at most {@code max(promptTokens, 500)} prompt tokens and at most {@code maxTokens}
     * completion tokens, {@link #settle} does not charge more than this.
     */
    public long completionAwareEstimate(int promptTokens, Integer maxTokens) {
        requireTokens("promptTokens", promptTokens);
        int max = maxTokensOrZero(maxTokens);
        if (kind == Kind.FIXED) {
            return QuotaUnits.saturatedLong(fixedQuota().setScale(0, RoundingMode.CEILING));
        }
        BigDecimal tokens = BigDecimal.valueOf(Math.max(promptTokens, Pricer.PRE_CONSUMED_TOKENS))
                .add(BigDecimal.valueOf(max).multiply(completionRatio));
        return QuotaUnits.saturatedLong(tokens.multiply(ratio()).setScale(0, RoundingMode.CEILING));
    }

    /**
     * new-api's settlement: {@code (promptTokens + completionTokens x completionRatio) x modelRatio x groupRatio},
     * rounded half away from zero, at least 1 when the ratio is non-zero; fixed price: {@code ModelPrice x
     * 500,000 x groupRatio} rounded half away from zero. No tokens at all (an upstream that reported nothing)
     * settles to 0, as in new-api. Saturates at {@link Long#MAX_VALUE}.
     */
    public long settle(int promptTokens, int completionTokens) {
        requireTokens("promptTokens", promptTokens);
        requireTokens("completionTokens", completionTokens);
        if ((long) promptTokens + completionTokens == 0) {
            return 0;
        }
        if (kind == Kind.FIXED) {
            return QuotaUnits.saturatedLong(fixedQuota().setScale(0, RoundingMode.HALF_UP));
        }
        BigDecimal ratio = ratio();
        BigDecimal raw = BigDecimal.valueOf(promptTokens)
                .add(BigDecimal.valueOf(completionTokens).multiply(completionRatio))
                .multiply(ratio);
        long quota = QuotaUnits.saturatedLong(raw.setScale(0, RoundingMode.HALF_UP));
        if (ratio.signum() != 0 && quota <= 0) {
            return 1;
        }
        return quota;
    }

    private static int maxTokensOrZero(Integer maxTokens) {
        if (maxTokens == null) {
            return 0;
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 0 or null)");
        }
        return maxTokens;
    }

    private static void requireTokens(String name, int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException(name + ": " + tokens + " (expected: >= 0)");
        }
    }
}
