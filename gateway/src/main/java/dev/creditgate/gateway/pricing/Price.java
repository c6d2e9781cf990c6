package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The resolved price of one model for one group: a snapshot taken when a request is admitted, so that
 * its estimate and its settlement use the same numbers even if the options change in between (new-api
 * keeps the same snapshot in {@code RelayInfo.PriceData}).
 *
 * <p>Every price is first computed exactly, in <em>raw quota</em> (a {@link BigDecimal}; 500,000 = 1 USD, token
 * x ratio, no rounding). Native tokens are charged new-api's integer quota from it ({@link #settle}: half up, at
 * least 1); {@code letaicode} tokens are charged its exact USD ({@link #costUsd}), never rounded to quota units.
 *
 * @param model            the model name the client sent (billing always uses it, not the mapped name)
 * @param group            the group whose ratio applies
 * @param kind             {@link Kind#RATIO} (per token) or {@link Kind#FIXED} ({@code ModelPrice}, per call)
 * @param modelRatio       model ratio (0 for fixed-price models)
 * @param completionRatio  completion ratio (1 for fixed-price models)
 * @param groupRatio       group ratio (1 for an unknown group)
 * @param modelPriceUsd    USD per call for fixed-price models, otherwise null
 * @param unpricedFallback true when the model has no price and {@code AllowUnpricedModels} supplied the ratio
 * @param cacheRatio       price of a cache read relative to the input price ({@code CacheRatio})
 * @param createCacheRatio price of a 5-minute cache write relative to the input price ({@code CreateCacheRatio});
 *                         a 1-hour write costs {@link PricingConfig#CACHE_WRITE_1H_MULTIPLIER} times as much
 */
public record Price(String model, String group, Kind kind, BigDecimal modelRatio, BigDecimal completionRatio,
                    BigDecimal groupRatio, BigDecimal modelPriceUsd, boolean unpricedFallback,
                    BigDecimal cacheRatio, BigDecimal createCacheRatio) {

    /** Per-token ratio pricing or a fixed price per call. */
    public enum Kind { RATIO, FIXED }

    public Price {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(modelRatio, "modelRatio");
        Objects.requireNonNull(completionRatio, "completionRatio");
        Objects.requireNonNull(groupRatio, "groupRatio");
        Objects.requireNonNull(cacheRatio, "cacheRatio");
        Objects.requireNonNull(createCacheRatio, "createCacheRatio");
        if (kind == Kind.FIXED) {
            Objects.requireNonNull(modelPriceUsd, "modelPriceUsd");
        }
    }

    /** A price without cache discounts (cache reads and writes at new-api's fallback ratios 1 and 1.25). */
    public Price(String model, String group, Kind kind, BigDecimal modelRatio, BigDecimal completionRatio,
                 BigDecimal groupRatio, BigDecimal modelPriceUsd, boolean unpricedFallback) {
        this(model, group, kind, modelRatio, completionRatio, groupRatio, modelPriceUsd, unpricedFallback,
                PricingConfig.UNKNOWN_CACHE_RATIO, PricingConfig.UNKNOWN_CREATE_CACHE_RATIO);
    }

    /** {@code modelRatio x groupRatio}; for a fixed-price model, 0 (as new-api's {@code ratio}). */
    public BigDecimal ratio() {
        return modelRatio.multiply(groupRatio);
    }

    /** A 1-hour cache write relative to the input price: {@code createCacheRatio x 1.6}. */
    public BigDecimal createCacheRatio1h() {
        return createCacheRatio.multiply(PricingConfig.CACHE_WRITE_1H_MULTIPLIER);
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
        return QuotaUnits.saturatedLong(rawEstimate(promptTokens, maxTokens).setScale(0, RoundingMode.DOWN));
    }

    /** {@link #estimate} before truncation: the exact amount, in raw quota. */
    public BigDecimal rawEstimate(int promptTokens, Integer maxTokens) {
        requireTokens("promptTokens", promptTokens);
        int max = maxTokensOrZero(maxTokens);
        if (kind == Kind.FIXED) {
            return fixedQuota();
        }
        BigDecimal tokens = BigDecimal.valueOf(Math.max(promptTokens, Pricer.PRE_CONSUMED_TOKENS))
                .add(BigDecimal.valueOf(max));
        return tokens.multiply(ratio());
    }

    /**
     * The most a request can cost: its prompt (at least new-api's 500 tokens, all at the full input price, since
     * the cache is not known before the answer) plus {@code outputLimit} tokens at the completion price.
     */
    public WorstCase worstCase(int promptTokens, int outputLimit) {
        return new WorstCase(this, Math.max(promptTokens, Pricer.PRE_CONSUMED_TOKENS), outputLimit);
    }

    /**
     * The exact cost in raw quota (500,000 = 1 USD): {@code (uncached + cacheRead x CacheRatio + cacheWrite x
     * CreateCacheRatio + cacheWrite1h x CreateCacheRatio x 1.6 + completion x CompletionRatio) x ModelRatio x
     * GroupRatio}; fixed price: {@code ModelPrice x 500,000 x GroupRatio}. No tokens at all: 0.
     */
    public BigDecimal rawCost(TokenUsage usage) {
        Objects.requireNonNull(usage, "usage");
        if (usage.totalTokens() == 0) {
            return BigDecimal.ZERO;
        }
        if (kind == Kind.FIXED) {
            return fixedQuota();
        }
        CacheTokens cache = usage.cache();
        BigDecimal tokens = BigDecimal.valueOf(usage.uncachedPromptTokens())
                .add(BigDecimal.valueOf(cache.read()).multiply(cacheRatio))
                .add(BigDecimal.valueOf(cache.write()).multiply(createCacheRatio))
                .add(BigDecimal.valueOf(cache.write1h()).multiply(createCacheRatio1h()))
                .add(BigDecimal.valueOf(usage.completionTokens()).multiply(completionRatio));
        return tokens.multiply(ratio());
    }

    /**
     * new-api's settlement in integer quota, for native tokens: {@link #rawCost} rounded half away from zero, at
     * least 1 when the ratio is non-zero. No tokens at all (an upstream that reported nothing) settles to 0, as in
     * new-api. Saturates at {@link Long#MAX_VALUE}.
     */
    public long settle(TokenUsage usage) {
        BigDecimal raw = rawCost(usage);
        if (usage.totalTokens() == 0) {
            return 0;
        }
        long quota = QuotaUnits.saturatedLong(raw.setScale(0, RoundingMode.HALF_UP));
        if (kind == Kind.RATIO && ratio().signum() != 0 && quota <= 0) {
            return 1;
        }
        return quota;
    }

    /** {@link #settle(TokenUsage)} without cache tokens. */
    public long settle(int promptTokens, int completionTokens) {
        return settle(new TokenUsage(promptTokens, completionTokens));
    }

    /**
     * The exact cost in USD, for {@code letaicode} tokens: {@link #rawCost} / 500,000 (a fixed price is its
     * {@code ModelPrice x GroupRatio}); no rounding to quota units, no minimum.
     */
    public BigDecimal costUsd(TokenUsage usage) {
        if (kind == Kind.FIXED && usage.totalTokens() > 0) {
            return modelPriceUsd.multiply(groupRatio);
        }
        return QuotaUnits.rawQuotaToUsd(rawCost(usage));
    }

    static int maxTokensOrZero(Integer maxTokens) {
        if (maxTokens == null) {
            return 0;
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 0 or null)");
        }
        return maxTokens;
    }

    static void requireTokens(String name, int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException(name + ": " + tokens + " (expected: >= 0)");
        }
    }
}
