package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * new-api's pricing: pre-consume estimate and settlement, in quota. Immutable and thread-safe; when the
 * options change, build a new one (e.g. hold it in an {@code AtomicReference}).
 *
 * <p>Resolution follows new-api's {@code ModelPriceHelper}: a {@code ModelPrice} entry wins over a
 * {@code ModelRatio} entry; the group ratio of an unknown group is 1; a model with neither is
 * {@link Estimate.Outcome#MODEL_PRICE_MISSING} unless {@code AllowUnpricedModels} is on, in which case it is
 * priced at ratio {@link #UNPRICED_MODEL_RATIO} (37.5 = 75 USD per 1M tokens, what new-api's self-use mode
 * charges for a model without a ratio).
 */
public final class Pricer {

    /** new-api's {@code PreConsumedQuota}: the estimate counts at least this many prompt tokens. */
    public static final int PRE_CONSUMED_TOKENS = 500;

    /** The ratio new-api's {@code GetModelRatio} returns for an unknown model (used in self-use mode). */
    public static final BigDecimal UNPRICED_MODEL_RATIO = new BigDecimal("37.5");

    private final PricingConfig config;
    private final boolean allowUnpricedModels;

    public Pricer(PricingConfig config, boolean allowUnpricedModels) {
        this.config = Objects.requireNonNull(config, "config");
        this.allowUnpricedModels = allowUnpricedModels;
    }

    /** Defaults, unpriced models refused. */
    public static Pricer defaults() {
        return new Pricer(PricingConfig.defaults(), false);
    }

    public PricingConfig config() {
        return config;
    }

    public boolean allowUnpricedModels() {
        return allowUnpricedModels;
    }

    /** The price of {@code model} for {@code group}; empty when the model has no price and unpriced models are refused. */
    public Optional<Price> price(String model, String group) {
        Objects.requireNonNull(model, "model");
        BigDecimal groupRatio = config.groupRatio(group);
        Optional<BigDecimal> fixed = config.modelPrice(model);
        if (fixed.isPresent()) {
            return Optional.of(new Price(model, group, Price.Kind.FIXED, BigDecimal.ZERO, BigDecimal.ONE,
                    groupRatio, fixed.get(), false, config.cacheRatio(model), config.createCacheRatio(model)));
        }
        Optional<BigDecimal> ratio = config.modelRatio(model);
        if (ratio.isEmpty() && !allowUnpricedModels) {
            return Optional.empty();
        }
        return Optional.of(new Price(model, group, Price.Kind.RATIO, ratio.orElse(UNPRICED_MODEL_RATIO),
                config.completionRatio(model), groupRatio, null, ratio.isEmpty(), config.cacheRatio(model),
                config.createCacheRatio(model)));
    }

    /**
     * Pre-consume estimate: {@code (max(promptTokens, 500) + maxTokens) x modelRatio x groupRatio}, truncated;
     * or the fixed {@code ModelPrice x 500,000 x groupRatio}. {@code maxTokens} is the request's
     * {@code max_tokens}-style limit or null (see {@link MaxTokens}).
     */
    public Estimate estimate(String model, String group, int promptTokens, Integer maxTokens) {
        Optional<Price> price = price(model, group);
        if (price.isEmpty()) {
            return Estimate.missing(model, group);
        }
        Price p = price.get();
        return new Estimate(Estimate.Outcome.PRICED, model, group, p.estimate(promptTokens, maxTokens), p);
    }

    /**
     * Settlement with the current options (prefer {@code estimate.price().settle(...)}, which uses the
     * snapshot taken at admission): {@code (prompt + completion x completionRatio) x modelRatio x groupRatio},
     * rounded half away from zero, at least 1 when the ratio is non-zero; fixed price per call.
     *
     * @throws IllegalStateException when the model has no price and unpriced models are refused
     */
    public long settle(String model, String group, int promptTokens, int completionTokens) {
        Price price = price(model, group).orElseThrow(() -> new IllegalStateException(
                Estimate.missing(model, group).errorMessage()));
        return price.settle(promptTokens, completionTokens);
    }
}
