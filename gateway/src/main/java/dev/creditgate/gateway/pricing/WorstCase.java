package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The most one request can cost (a worst-case hold): its prompt at the full input price plus its output limit at
 * the completion price. When the upstream reports at most {@code promptTokens} input and at most
 * {@code outputLimit} output tokens, {@link Price#rawCost} is never above {@link #rawQuota} (cache reads cost at
 * most the input price; a cache write can cost more, up to 2 x, and is the one way a capture can exceed it).
 *
 * @param price        the price snapshot
 * @param promptTokens the prompt tokens held for (the counted prompt, at least new-api's 500)
 * @param outputLimit  the output tokens held for ({@code >= 0})
 */
public record WorstCase(Price price, int promptTokens, int outputLimit) {

    public WorstCase {
        Objects.requireNonNull(price, "price");
        Price.requireTokens("promptTokens", promptTokens);
        Price.requireTokens("outputLimit", outputLimit);
    }

    /** The exact worst case in raw quota (500,000 = 1 USD). */
    public BigDecimal rawQuota() {
        if (price.kind() == Price.Kind.FIXED) {
            return price.rawCost(new TokenUsage(1, 0));
        }
        return promptRaw().add(BigDecimal.valueOf(outputLimit).multiply(perOutputToken()));
    }

    /** In integer quota, rounded up (what a native reservation takes). */
    public long quota() {
        return QuotaUnits.saturatedLong(rawQuota().setScale(0, RoundingMode.CEILING));
    }

    /** In USD, exact (what a credit hold asks for). */
    public BigDecimal usd() {
        if (price.kind() == Price.Kind.FIXED) {
            return price.costUsd(new TokenUsage(1, 0));
        }
        return QuotaUnits.rawQuotaToUsd(rawQuota());
    }

    /** The same worst case for another output limit. */
    public WorstCase withOutputLimit(int limit) {
        return new WorstCase(price, promptTokens, limit);
    }

    /**
     * The largest output limit whose worst case fits {@code availableRawQuota}: -1 when not even the prompt fits
     * (for a fixed price: the limit itself when the price fits, else -1); never above {@link #outputLimit}.
     */
    public int affordableOutput(BigDecimal availableRawQuota) {
        Objects.requireNonNull(availableRawQuota, "availableRawQuota");
        if (price.kind() == Price.Kind.FIXED) {
            return availableRawQuota.compareTo(rawQuota()) >= 0 ? outputLimit : -1;
        }
        BigDecimal left = availableRawQuota.subtract(promptRaw());
        if (left.signum() < 0) {
            return -1;
        }
        BigDecimal per = perOutputToken();
        if (per.signum() == 0) {
            return outputLimit;
        }
        BigDecimal n = left.divide(per, 0, RoundingMode.DOWN);
        return n.compareTo(BigDecimal.valueOf(outputLimit)) >= 0 ? outputLimit : n.intValueExact();
    }

    /** {@link #affordableOutput(BigDecimal)} for an amount in USD. */
    public int affordableOutputForUsd(BigDecimal availableUsd) {
        return affordableOutput(QuotaUnits.usdToRawQuota(availableUsd));
    }

    private BigDecimal promptRaw() {
        return BigDecimal.valueOf(promptTokens).multiply(price.ratio());
    }

    private BigDecimal perOutputToken() {
        return price.completionRatio().multiply(price.ratio());
    }
}
