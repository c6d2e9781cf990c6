package dev.creditgate.gateway.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

/** Estimate and settlement against numbers computed by hand with new-api's formulas. */
class PricerTest {

    private static final Pricer DEFAULTS = Pricer.defaults();

    private static Pricer pricer(String modelRatio, String completionRatio, String groupRatio, String modelPrice,
                                 boolean allowUnpriced) {
        return new Pricer(PricingConfig.parse(modelRatio, completionRatio, groupRatio, modelPrice), allowUnpriced);
    }

    @Test
    void estimateCountsAtLeast500PromptTokensPlusMaxTokensTimesRatios() {
        // gpt-4o ratio 1.25: max(100, 500) = 500 tokens -> 625 quota
        assertThat(DEFAULTS.estimate("gpt-4o", "default", 100, null).quota()).isEqualTo(625);
        // max_tokens 1000 is added as is (new-api does not apply the completion ratio): 1500 x 1.25
        assertThat(DEFAULTS.estimate("gpt-4o", "default", 100, 1000).quota()).isEqualTo(1875);
        // prompt above 500 counts in full: (1200 + 300) x 1.25
        assertThat(DEFAULTS.estimate("gpt-4o", "default", 1200, 300).quota()).isEqualTo(1875);
        // max_tokens 0 adds nothing
        assertThat(DEFAULTS.estimate("gpt-4o", "default", 100, 0).quota()).isEqualTo(625);
    }

    @Test
    void estimateTruncatesTowardZeroAsNewApi() {
        // gpt-4o-mini 0.075: 501 x 0.075 = 37.575 -> 37 (QuotaFromFloatStrict truncates)
        Estimate estimate = DEFAULTS.estimate("gpt-4o-mini", "default", 501, null);
        assertThat(estimate.quota()).isEqualTo(37);
        assertThat(estimate.usd()).isEqualByComparingTo("0.000074");
    }

    @Test
    void worstCasePricesTheOutputLimitAtTheCompletionRatioRoundedUp() {
        // gpt-4o: (500 + 1000 x 4) x 1.25 = 5625 quota = 0.01125 USD
        Price price = DEFAULTS.estimate("gpt-4o", "default", 100, 1000).price();
        WorstCase worst = price.worstCase(100, 1000);
        assertThat(worst.quota()).isEqualTo(5625);
        assertThat(worst.usd()).isEqualByComparingTo("0.01125");
        // gpt-4o-mini: (501 + 0) x 0.075 = 37.575 -> 38 (ceiling), exact in USD
        WorstCase mini = DEFAULTS.estimate("gpt-4o-mini", "default", 501, null).price().worstCase(501, 0);
        assertThat(mini.quota()).isEqualTo(38);
        assertThat(mini.usd()).isEqualByComparingTo("0.00007515");
        // an honest upstream within the limits never settles above it
        assertThat(price.settle(500, 1000)).isLessThanOrEqualTo(worst.quota());
    }

    @Test
    void affordableOutputIsTheLargestLimitWhoseWorstCaseFits() {
        Price price = DEFAULTS.estimate("gpt-4o", "default", 100, 1000).price();
        WorstCase worst = price.worstCase(100, 1000);
        // 0.005 USD = 2500 quota; the prompt takes 500 x 1.25 = 625; each output token 5 quota -> 375
        assertThat(worst.affordableOutputForUsd(new BigDecimal("0.005"))).isEqualTo(375);
        assertThat(worst.withOutputLimit(375).usd()).isLessThanOrEqualTo(new BigDecimal("0.005"));
        assertThat(worst.withOutputLimit(376).usd()).isGreaterThan(new BigDecimal("0.005"));
        assertThat(worst.affordableOutputForUsd(new BigDecimal("1"))).as("never above the limit").isEqualTo(1000);
        assertThat(worst.affordableOutputForUsd(new BigDecimal("0.001"))).as("not even the prompt").isEqualTo(-1);
    }

    @Test
    void anthropicCacheTokensAreChargedAtTheirRatios() {
        // The case: 100 input + 10,000 cache-read + 1,000 cache-write tokens, 6 output, Claude Sonnet 4.5
        // (ratio 1.5, completion 5, CacheRatio 0.1, CreateCacheRatio 1.25): (100 + 1000 + 1250 + 30) x 1.5 = 3570
        Price price = DEFAULTS.price("claude-sonnet-4-5-20250929", "default").orElseThrow();
        TokenUsage usage = new TokenUsage(11_100, 6, new CacheTokens(10_000, 1_000, 0));
        assertThat(price.settle(usage)).isEqualTo(3570);
        assertThat(price.costUsd(usage)).isEqualByComparingTo("0.00714");
        // without the cache it was 16,695
        assertThat(price.settle(new TokenUsage(11_100, 6))).isEqualTo(16_695);
        // a 1-hour write costs 2 x the input price: 1000 x 1.25 x 1.6 = 2000
        TokenUsage oneHour = new TokenUsage(11_100, 6, new CacheTokens(10_000, 0, 1_000));
        assertThat(price.rawCost(oneHour)).isEqualByComparingTo(new BigDecimal("4695")); // (100 + 1000 + 2000 + 30) x 1.5
    }

    @Test
    void openAiCachedTokensAreChargedAtTheCacheRatio() {
        // 10,000 of 11,100 prompt tokens cached, CacheRatio 0.5, ratio 1, 6 completion tokens at 4:
        // (1100 + 5000 + 24) x 1 = 6124 (not 11,124)
        PricingConfig config = PricingConfig.parse("{\"m\":1}", "{\"m\":4}", "{\"default\":1}", "{}")
                .with(PricingConfig.CACHE_RATIO, "{\"m\":0.5}");
        Price price = new Pricer(config, false).price("m", "default").orElseThrow();
        assertThat(price.settle(new TokenUsage(11_100, 6, new CacheTokens(10_000, 0, 0)))).isEqualTo(6124);
        // gpt-4o's default CacheRatio is new-api's 0.5
        assertThat(DEFAULTS.config().cacheRatio("gpt-4o")).isEqualByComparingTo("0.5");
        assertThat(DEFAULTS.config().createCacheRatio("unknown-model")).isEqualByComparingTo("1.25");
        assertThat(DEFAULTS.config().cacheRatio("unknown-model")).isEqualByComparingTo("1");
    }

    @Test
    void usdIsExactNotRoundedToQuotaUnits() {
        PricingConfig config = PricingConfig.parse("{\"tiny\":0.0000001}", "{}", "{}",
                "{\"p1\":0.000123,\"p2\":0.00000008}");
        Pricer pricer = new Pricer(config, false);
        TokenUsage one = new TokenUsage(10, 5);
        assertThat(pricer.price("p1", "default").orElseThrow().costUsd(one)).isEqualByComparingTo("0.000123");
        assertThat(pricer.price("p2", "default").orElseThrow().costUsd(one)).isEqualByComparingTo("0.00000008");
        // native quota keeps new-api's rounding: 0.000123 x 500000 = 61.5 -> 62
        assertThat(pricer.price("p1", "default").orElseThrow().settle(one)).isEqualTo(62);
        // 15 tokens at ratio 1e-7: 1.5e-6 quota = 3e-12 USD exactly; natively at least 1 quota
        Price tiny = pricer.price("tiny", "default").orElseThrow();
        assertThat(tiny.costUsd(new TokenUsage(15, 0))).isEqualByComparingTo("0.000000000003");
        assertThat(tiny.settle(new TokenUsage(15, 0))).isEqualTo(1);
    }

    @Test
    void defaultMaxOutputTokensFallsBackToTheWildcard() {
        PricingConfig config = PricingConfig.defaults().with(PricingConfig.DEFAULT_MAX_OUTPUT_TOKENS,
                "{\"*\":2048,\"big\":32000}");
        assertThat(config.defaultMaxOutputTokens("big")).isEqualTo(32000);
        assertThat(config.defaultMaxOutputTokens("other")).isEqualTo(2048);
        assertThat(PricingConfig.defaults().defaultMaxOutputTokens("gpt-4o")).isEqualTo(4096);
        assertThat(PricingConfig.defaults().defaultMaxOutputTokens("claude-sonnet-4-5-20250929")).isEqualTo(8192);
        assertThat(PricingConfig.validate(PricingConfig.DEFAULT_MAX_OUTPUT_TOKENS, "{\"*\":0}")).isPresent();
        assertThat(PricingConfig.validate(PricingConfig.DEFAULT_MAX_OUTPUT_TOKENS, "{\"*\":1.5}")).isPresent();
    }

    @Test
    void settleAppliesCompletionRatioModelRatioAndGroupRatio() {
        // gpt-4o: (1000 + 500 x 4) x 1.25 = 3750 quota = 0.0075 USD = 1000 x $2.50/1M + 500 x $10/1M
        assertThat(DEFAULTS.settle("gpt-4o", "default", 1000, 500)).isEqualTo(3750);
        assertThat(QuotaUnits.quotaToUsd(3750)).isEqualByComparingTo("0.0075");
        // claude-sonnet-4-5: completion ratio 5 (locked): (1000 + 1000 x 5) x 1.5 = 9000 = $0.003 + $0.015
        assertThat(DEFAULTS.settle("claude-sonnet-4-5-20250929", "default", 1000, 1000)).isEqualTo(9000);
        assertThat(QuotaUnits.quotaToUsd(9000)).isEqualByComparingTo("0.018");
        // text-embedding-3-small 0.01, no completion: 1000 x 0.01 = 10
        assertThat(DEFAULTS.settle("text-embedding-3-small", "default", 1000, 0)).isEqualTo(10);
    }

    @Test
    void settleRoundsHalfAwayFromZero() {
        // gpt-4o-mini 0.075: 60 x 0.075 = 4.5 -> 5 (banker's rounding would give 4)
        assertThat(DEFAULTS.settle("gpt-4o-mini", "default", 60, 0)).isEqualTo(5);
        // 20 x 0.075 = 1.5 -> 2; 30 x 0.075 = 2.25 -> 2; 50 x 0.075 = 3.75 -> 4
        assertThat(DEFAULTS.settle("gpt-4o-mini", "default", 20, 0)).isEqualTo(2);
        assertThat(DEFAULTS.settle("gpt-4o-mini", "default", 30, 0)).isEqualTo(2);
        assertThat(DEFAULTS.settle("gpt-4o-mini", "default", 50, 0)).isEqualTo(4);
        Pricer half = pricer("{\"m\":0.5}", "{}", "{}", "{}", false);
        // 5 x 0.5 = 2.5 -> 3 (banker's: 2)
        assertThat(half.settle("m", "default", 5, 0)).isEqualTo(3);
    }

    @Test
    void settleChargesAtLeastOneWhenTheRatioIsNotZero() {
        Pricer cheap = pricer("{\"tiny\":0.001,\"free\":0}", "{}", "{}", "{}", false);
        // 100 x 0.001 = 0.1 -> rounds to 0 -> at least 1
        assertThat(cheap.settle("tiny", "default", 100, 0)).isEqualTo(1);
        // a free model (ratio 0) settles and estimates to 0
        assertThat(cheap.settle("free", "default", 100, 100)).isZero();
        assertThat(cheap.estimate("free", "default", 100, 100).quota()).isZero();
        // no tokens at all (upstream reported nothing): 0, as new-api
        assertThat(cheap.settle("tiny", "default", 0, 0)).isZero();
    }

    @Test
    void groupRatioMultipliesAndUnknownGroupCountsAsOne() {
        Pricer groups = pricer("{\"gpt-4o\":1.25}", "{}", "{\"default\":1,\"vip\":0.8,\"svip\":1.5}", "{}", false);
        assertThat(groups.settle("gpt-4o", "vip", 1000, 500)).isEqualTo(3000);   // 3750 x 0.8
        assertThat(groups.settle("gpt-4o", "svip", 1000, 500)).isEqualTo(5625);  // 3750 x 1.5
        assertThat(groups.estimate("gpt-4o", "vip", 100, null).quota()).isEqualTo(500); // 500 x 1.25 x 0.8
        assertThat(groups.settle("gpt-4o", "letaicode", 1000, 500)).isEqualTo(3750);
        assertThat(groups.settle("gpt-4o", null, 1000, 500)).isEqualTo(3750);
        assertThat(groups.estimate("gpt-4o", "letaicode", 100, null).price().groupRatio()).isEqualByComparingTo("1");
        // group ratio 0: free for that group, no minimum of 1
        Pricer zero = pricer("{\"gpt-4o\":1.25}", "{}", "{\"free\":0}", "{}", false);
        assertThat(zero.settle("gpt-4o", "free", 1000, 500)).isZero();
    }

    @Test
    void fixedModelPriceOverridesRatiosAndIgnoresTokens() {
        // dall-e-3: 0.04 USD x 500,000 = 20,000 quota, whatever the tokens
        Estimate estimate = DEFAULTS.estimate("dall-e-3", "default", 10, 4000);
        assertThat(estimate.quota()).isEqualTo(20_000);
        assertThat(estimate.price().kind()).isEqualTo(Price.Kind.FIXED);
        assertThat(estimate.usd()).isEqualByComparingTo("0.04");
        assertThat(DEFAULTS.settle("dall-e-3", "default", 10, 4000)).isEqualTo(20_000);
        assertThat(DEFAULTS.settle("dall-e-3", "default", 1, 0)).isEqualTo(20_000);
        // gpt-4-gizmo-*: ModelPrice 0.1 wins over ModelRatio 15; names are normalised to the wildcard
        assertThat(DEFAULTS.settle("gpt-4-gizmo-g-abc123", "default", 1000, 1000)).isEqualTo(50_000);
        // group ratio applies to the fixed price
        Pricer vip = pricer("{}", "{}", "{\"vip\":0.8}", "{\"img\":0.04,\"odd\":0.0000011}", false);
        assertThat(vip.settle("img", "vip", 1, 1)).isEqualTo(16_000);
        // 0.0000011 x 500,000 = 0.55: estimate truncates to 0, settlement rounds half away from zero to 1
        assertThat(vip.estimate("odd", "default", 1, null).quota()).isZero();
        assertThat(vip.settle("odd", "default", 1, 0)).isEqualTo(1);
    }

    @Test
    void unpricedModelIsANamedOutcomeUnlessAllowed() {
        Estimate missing = DEFAULTS.estimate("my-private-model", "default", 100, 10);
        assertThat(missing.outcome()).isEqualTo(Estimate.Outcome.MODEL_PRICE_MISSING);
        assertThat(missing.isPriced()).isFalse();
        assertThat(missing.quota()).isZero();
        assertThat(missing.price()).isNull();
        assertThat(missing.errorMessage()).contains("my-private-model").contains("ModelRatio").contains("AllowUnpricedModels");
        assertThat(Estimate.MODEL_PRICE_ERROR_CODE).isEqualTo("model_price_error");
        assertThat(DEFAULTS.price("my-private-model", "default")).isEmpty();
        assertThatThrownBy(() -> DEFAULTS.settle("my-private-model", "default", 1, 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("my-private-model");

        // self-use mode: new-api prices an unknown model at ratio 37.5, completion ratio by its rules (1 here)
        Pricer allowing = new Pricer(PricingConfig.defaults(), true);
        Estimate estimate = allowing.estimate("my-private-model", "default", 100, null);
        assertThat(estimate.isPriced()).isTrue();
        assertThat(estimate.price().unpricedFallback()).isTrue();
        assertThat(estimate.price().modelRatio()).isEqualByComparingTo("37.5");
        assertThat(estimate.quota()).isEqualTo(18_750);                       // 500 x 37.5
        assertThat(allowing.settle("my-private-model", "default", 100, 100)).isEqualTo(7_500); // 200 x 37.5
        // a priced model is unaffected by the option
        assertThat(allowing.settle("gpt-4o", "default", 1000, 500)).isEqualTo(3750);
        assertThat(allowing.estimate("gpt-4o", "default", 1, null).price().unpricedFallback()).isFalse();
    }

    @Test
    void priceSnapshotSettlesWithTheNumbersOfAdmission() {
        Pricer before = pricer("{\"m\":1}", "{}", "{}", "{}", false);
        Price snapshot = before.estimate("m", "default", 10, null).price();
        Pricer after = new Pricer(before.config().with(PricingConfig.MODEL_RATIO, "{\"m\":2}"), false);
        assertThat(snapshot.settle(100, 0)).isEqualTo(100);
        assertThat(after.settle("m", "default", 100, 0)).isEqualTo(200);
    }

    @Test
    void absurdProductsSaturateInsteadOfWrapping() {
        Pricer huge = pricer("{\"m\":1000000}", "{\"m\":1000000}", "{\"g\":1000000}", "{}", false);
        assertThat(huge.settle("m", "g", Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(huge.estimate("m", "g", Integer.MAX_VALUE, Integer.MAX_VALUE).quota()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void negativeTokensAreRejectedWithTheirName() {
        assertThatThrownBy(() -> DEFAULTS.settle("gpt-4o", "default", -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("promptTokens: -1 (expected: >= 0)");
        assertThatThrownBy(() -> DEFAULTS.settle("gpt-4o", "default", 0, -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("completionTokens: -2 (expected: >= 0)");
        assertThatThrownBy(() -> DEFAULTS.estimate("gpt-4o", "default", 1, -3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens: -3");
    }

    @Test
    void unpricedRatioConstantIsNewApis() {
        assertThat(Pricer.UNPRICED_MODEL_RATIO).isEqualByComparingTo(new BigDecimal("37.5"));
        assertThat(Pricer.PRE_CONSUMED_TOKENS).isEqualTo(500);
    }
}
