package dev.creditgate.gateway.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PricingConfigTest {

    private static final PricingConfig DEFAULTS = PricingConfig.defaults();

    private static PricingConfig withCompletion(String json) {
        return PricingConfig.parse("{}", json, "{}", "{}");
    }

    @Test
    void defaultsCarryNewApisRatiosForCurrentModels() {
        assertThat(DEFAULTS.modelRatio("gpt-4o")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("1.25"));
        assertThat(DEFAULTS.modelRatio("gpt-4o-mini")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.075"));
        assertThat(DEFAULTS.modelRatio("gpt-4.1-nano")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.05"));
        assertThat(DEFAULTS.modelRatio("o3")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("1"));
        assertThat(DEFAULTS.modelRatio("o1-pro")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("75"));
        assertThat(DEFAULTS.modelRatio("text-embedding-3-large")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.065"));
        assertThat(DEFAULTS.modelRatio("claude-3-5-haiku-20241022")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.5"));
        assertThat(DEFAULTS.modelRatio("claude-opus-4-1-20250805")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("7.5"));
        assertThat(DEFAULTS.modelRatio("deepseek-chat")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.135"));
        assertThat(DEFAULTS.modelPrice("dall-e-3")).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("0.04"));
        assertThat(DEFAULTS.modelRatio("no-such-model")).isEmpty();
        assertThat(PricingConfig.defaultGroupRatioJson()).isEqualTo("{\"default\":1,\"svip\":1,\"vip\":1}");
    }

    @Test
    void completionRatiosFollowNewApisRules() {
        PricingConfig empty = withCompletion("{}");
        assertThat(empty.completionRatio("gpt-4o")).isEqualByComparingTo("4");
        assertThat(empty.completionRatio("gpt-4o-mini")).isEqualByComparingTo("4");
        assertThat(empty.completionRatio("gpt-4o-2024-05-13")).isEqualByComparingTo("3");
        assertThat(empty.completionRatio("chatgpt-4o-latest")).isEqualByComparingTo("3");
        assertThat(empty.completionRatio("gpt-5-mini")).isEqualByComparingTo("8");
        assertThat(empty.completionRatio("gpt-4-turbo")).isEqualByComparingTo("3");
        assertThat(empty.completionRatio("gpt-4")).isEqualByComparingTo("2");
        assertThat(empty.completionRatio("gpt-3.5-turbo")).isEqualByComparingTo("2"); // new-api's gpt- branch wins
        assertThat(empty.completionRatio("o1")).isEqualByComparingTo("4");
        assertThat(empty.completionRatio("o3-mini")).isEqualByComparingTo("4");
        assertThat(empty.completionRatio("claude-3-5-haiku-20241022")).isEqualByComparingTo("5");
        assertThat(empty.completionRatio("claude-opus-4-1-20250805")).isEqualByComparingTo("5");
        assertThat(empty.completionRatio("gemini-2.5-pro")).isEqualByComparingTo("8");
        assertThat(empty.completionRatio("gemini-2.5-flash")).isEqualByComparingTo("8.333333333333333");
        assertThat(empty.completionRatio("text-embedding-3-small")).isEqualByComparingTo("1");
        assertThat(empty.completionRatio("unknown-model")).isEqualByComparingTo("1");
        // new-api's rules give gpt-4.1 2 and o4-mini 1; our default CompletionRatio corrects them to 4
        assertThat(empty.completionRatio("gpt-4.1")).isEqualByComparingTo("2");
        assertThat(empty.completionRatio("o4-mini")).isEqualByComparingTo("1");
        assertThat(DEFAULTS.completionRatio("gpt-4.1")).isEqualByComparingTo("4");
        assertThat(DEFAULTS.completionRatio("gpt-4.1-mini-2025-04-14")).isEqualByComparingTo("4");
        assertThat(DEFAULTS.completionRatio("o4-mini")).isEqualByComparingTo("4");
    }

    @Test
    void configuredCompletionRatioOverridesUnlockedRulesOnly() {
        PricingConfig config = withCompletion("{\"gpt-4o\":3,\"claude-sonnet-4-5-20250929\":2,\"gpt-5\":1,\"acme/x\":7,\"my-model\":1.5}");
        assertThat(config.completionRatio("gpt-4o")).isEqualByComparingTo("3");                      // unlocked
        assertThat(config.completionRatio("claude-sonnet-4-5-20250929")).isEqualByComparingTo("5");  // locked
        assertThat(config.completionRatio("gpt-5")).isEqualByComparingTo("8");                       // locked
        assertThat(config.completionRatio("acme/x")).isEqualByComparingTo("7");
        assertThat(config.completionRatio("my-model")).isEqualByComparingTo("1.5");
    }

    @Test
    void modelNamesAreNormalisedAsNewApiDoes() {
        assertThat(DEFAULTS.modelPrice("gpt-4-gizmo-g-2fkFE8rbu")).hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("0.1"));
        assertThat(DEFAULTS.modelRatio("gpt-4o-gizmo-g-xyz")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("2.5"));
        assertThat(DEFAULTS.modelRatio("gemini-2.5-flash-thinking-1024")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.075"));
        assertThat(DEFAULTS.modelRatio("gemini-2.5-pro-thinking-128")).hasValueSatisfying(r -> assertThat(r).isEqualByComparingTo("0.625"));
    }

    @Test
    void jsonRoundTripsExactly() {
        PricingConfig reparsed = PricingConfig.parse(PricingConfig.defaultModelRatioJson(),
                PricingConfig.defaultCompletionRatioJson(), PricingConfig.defaultGroupRatioJson(),
                PricingConfig.defaultModelPriceJson());
        assertThat(reparsed).isEqualTo(DEFAULTS);
        assertThat(PricingConfig.defaultModelRatioJson()).contains("\"gpt-4o\":1.25").contains("\"gpt-4o-mini\":0.075");
        // plain decimals, never exponent form, exact digits kept
        PricingConfig tiny = PricingConfig.parse("{\"a\":1e-7,\"b\":0.1234567890123456789,\"c\":2}", "{}", "{}", "{}");
        assertThat(tiny.modelRatioJson()).isEqualTo("{\"a\":0.0000001,\"b\":0.1234567890123456789,\"c\":2}");
        assertThat(tiny.modelRatio("b")).hasValueSatisfying(v -> assertThat(v.toPlainString()).isEqualTo("0.1234567890123456789"));
        assertThat(DEFAULTS.toOptionValues()).containsOnlyKeys("ModelRatio", "CompletionRatio", "GroupRatio", "ModelPrice",
                "CacheRatio", "CreateCacheRatio", "DefaultMaxOutputTokens");
        assertThat(PricingConfig.defaultJson("GroupRatio")).isEqualTo(PricingConfig.defaultGroupRatioJson());
    }

    @Test
    void badValuesAreRejectedWithAMessageNamingKeyAndValue() {
        assertThat(PricingConfig.validate("ModelRatio", "{\"gpt-4o\": -1}"))
                .hasValue("ModelRatio: \"gpt-4o\": -1 (expected: a number >= 0)");
        assertThat(PricingConfig.validate("GroupRatio", "{\"vip\": \"0.8\"}"))
                .hasValue("GroupRatio: \"vip\": \"0.8\" (expected: a number >= 0)");
        assertThat(PricingConfig.validate("ModelPrice", "{\"dall-e-3\": null}"))
                .hasValue("ModelPrice: \"dall-e-3\": null (expected: a number >= 0)");
        assertThat(PricingConfig.validate("CompletionRatio", "{\"x\": 1000001}"))
                .hasValue("CompletionRatio: \"x\": 1000001 (expected: a number <= 1000000)");
        assertThat(PricingConfig.validate("ModelRatio", "{\"gpt-4o\": 1.5")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("ModelRatio: invalid JSON:");
        assertThat(PricingConfig.validate("ModelRatio", "{\"a\": 1, \"a\": 2}")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("ModelRatio: invalid JSON:").contains("\"a\"");
        assertThat(PricingConfig.validate("ModelRatio", "{\"a\": 1} {}")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("ModelRatio: invalid JSON:");
        assertThat(PricingConfig.validate("ModelRatio", "[1, 2]"))
                .hasValue("ModelRatio: not a JSON object: ARRAY (expected a JSON object such as {\"name\": 1.5})");
        assertThat(PricingConfig.validate("ModelRatio", "  ")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("ModelRatio: empty value");
        assertThat(PricingConfig.validate("ModelRatio", "{\" \": 1}")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("ModelRatio: empty name");
        assertThat(PricingConfig.validate("Theme", "{}")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("not a pricing option: Theme");
        assertThat(PricingConfig.validate("GroupRatio", "{\"default\":1,\"vip\":0.8}")).isEmpty();
        assertThat(PricingConfig.validate("ModelRatio", "{}")).isEmpty();
    }

    @Test
    void parseThrowsWithTheKeyOfTheBadValue() {
        assertThatThrownBy(() -> PricingConfig.parse("{}", "{}", "{\"vip\":-0.5}", "{}"))
                .isInstanceOf(PricingOptionException.class)
                .hasMessage("GroupRatio: \"vip\": -0.5 (expected: a number >= 0)")
                .extracting(e -> ((PricingOptionException) e).key()).isEqualTo("GroupRatio");
        assertThatThrownBy(() -> PricingConfig.parse("{}", "{}", "{}", null))
                .isInstanceOf(PricingOptionException.class).hasMessageStartingWith("ModelPrice: empty value");
    }

    @Test
    void withReplacesOneOptionAndKeepsTheOthers() {
        PricingConfig changed = DEFAULTS.with("GroupRatio", "{\"vip\":0.8}");
        assertThat(changed.groupRatio("vip")).isEqualByComparingTo("0.8");
        assertThat(changed.groupRatio("default")).isEqualByComparingTo("1"); // unknown now -> 1
        assertThat(changed.modelRatios()).isEqualTo(DEFAULTS.modelRatios());
        assertThat(DEFAULTS.groupRatio("vip")).isEqualByComparingTo("1");    // immutable
        assertThatThrownBy(() -> DEFAULTS.with("ModelRatio", "{\"x\":-1}")).isInstanceOf(PricingOptionException.class);
        assertThatThrownBy(() -> DEFAULTS.modelRatios().put("x", java.math.BigDecimal.ONE))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
