package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Default option values, taken from new-api's {@code setting/ratio_setting/model_ratio.go} for a representative
 * set of current models (ratio 1 = 2 USD per 1M prompt tokens). The comments give the list price it encodes.
 * Completion ratios are mostly computed by rules ({@link PricingConfig#completionRatio}); the map below holds
 * new-api's four default entries plus the corrections listed in {@code gateway/PRICING.md}.
 */
final class DefaultPrices {

    private DefaultPrices() {
    }

    static Map<String, BigDecimal> modelRatios() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        // OpenAI GPT-4o family
        put(m, "gpt-4o", "1.25");                       // $2.50 / 1M input
        put(m, "gpt-4o-2024-05-13", "2.5");
        put(m, "gpt-4o-2024-08-06", "1.25");
        put(m, "gpt-4o-2024-11-20", "1.25");
        put(m, "chatgpt-4o-latest", "2.5");
        put(m, "gpt-4o-mini", "0.075");                 // $0.15 / 1M
        put(m, "gpt-4o-mini-2024-07-18", "0.075");
        put(m, "gpt-4o-audio-preview", "1.25");
        put(m, "gpt-4o-realtime-preview", "2.5");
        put(m, "gpt-4o-mini-realtime-preview", "0.3");
        put(m, "gpt-4o-gizmo-*", "2.5");
        put(m, "gpt-4o-all", "15");
        // GPT-4.1 family
        put(m, "gpt-4.1", "1");                         // $2 / 1M
        put(m, "gpt-4.1-2025-04-14", "1");
        put(m, "gpt-4.1-mini", "0.2");                  // $0.40 / 1M
        put(m, "gpt-4.1-mini-2025-04-14", "0.2");
        put(m, "gpt-4.1-nano", "0.05");                 // $0.10 / 1M
        put(m, "gpt-4.1-nano-2025-04-14", "0.05");
        put(m, "gpt-4.5-preview", "37.5");
        // GPT-5 family
        put(m, "gpt-5", "0.625");                       // $1.25 / 1M
        put(m, "gpt-5-2025-08-07", "0.625");
        put(m, "gpt-5-chat-latest", "0.625");
        put(m, "gpt-5-mini", "0.125");
        put(m, "gpt-5-mini-2025-08-07", "0.125");
        put(m, "gpt-5-nano", "0.025");
        put(m, "gpt-5-nano-2025-08-07", "0.025");
        // o-series
        put(m, "o1", "7.5");                            // $15 / 1M
        put(m, "o1-2024-12-17", "7.5");
        put(m, "o1-preview", "7.5");
        put(m, "o1-mini", "0.55");
        put(m, "o1-pro", "75");
        put(m, "o3", "1");                              // $2 / 1M
        put(m, "o3-2025-04-16", "1");
        put(m, "o3-mini", "0.55");
        put(m, "o3-mini-2025-01-31", "0.55");
        put(m, "o3-pro", "10");
        put(m, "o3-deep-research", "5");
        put(m, "o4-mini", "0.55");                      // $1.10 / 1M
        put(m, "o4-mini-2025-04-16", "0.55");
        put(m, "o4-mini-deep-research", "1");
        // Older OpenAI chat models
        put(m, "gpt-4", "15");
        put(m, "gpt-4-0613", "15");
        put(m, "gpt-4-32k", "30");
        put(m, "gpt-4-turbo", "5");
        put(m, "gpt-4-turbo-2024-04-09", "5");
        put(m, "gpt-4-turbo-preview", "5");
        put(m, "gpt-4-1106-preview", "5");
        put(m, "gpt-4-0125-preview", "5");
        put(m, "gpt-4-gizmo-*", "15");
        put(m, "gpt-4-all", "15");
        put(m, "gpt-3.5-turbo", "0.25");
        put(m, "gpt-3.5-turbo-0125", "0.25");
        put(m, "gpt-3.5-turbo-1106", "0.5");
        put(m, "gpt-3.5-turbo-16k", "1.5");
        put(m, "gpt-3.5-turbo-instruct", "0.75");
        put(m, "gpt-image-1", "2.5");
        // Embeddings
        put(m, "text-embedding-3-small", "0.01");       // $0.02 / 1M
        put(m, "text-embedding-3-large", "0.065");      // $0.13 / 1M
        put(m, "text-embedding-ada-002", "0.05");       // $0.10 / 1M
        // Anthropic Claude
        put(m, "claude-3-haiku-20240307", "0.125");     // $0.25 / 1M
        put(m, "claude-3-5-haiku-20241022", "0.5");     // $1 / 1M
        put(m, "claude-haiku-4-5-20251001", "0.5");
        put(m, "claude-3-5-sonnet-20240620", "1.5");    // $3 / 1M
        put(m, "claude-3-5-sonnet-20241022", "1.5");
        put(m, "claude-3-7-sonnet-20250219", "1.5");
        put(m, "claude-3-7-sonnet-20250219-thinking", "1.5");
        put(m, "claude-sonnet-4-20250514", "1.5");
        put(m, "claude-sonnet-4-5-20250929", "1.5");
        put(m, "claude-3-opus-20240229", "7.5");        // $15 / 1M
        put(m, "claude-opus-4-20250514", "7.5");
        put(m, "claude-opus-4-1-20250805", "7.5");
        put(m, "claude-opus-4-5-20251101", "2.5");      // $5 / 1M
        // Google Gemini
        put(m, "gemini-2.0-flash", "0.05");
        put(m, "gemini-2.5-pro", "0.625");
        put(m, "gemini-2.5-flash", "0.15");
        put(m, "gemini-2.5-pro-thinking-*", "0.625");
        put(m, "gemini-2.5-flash-thinking-*", "0.075");
        put(m, "gemini-embedding-001", "0.075");
        // DeepSeek (new-api writes 0.27 / 2 and 0.55 / 2)
        put(m, "deepseek-chat", "0.135");
        put(m, "deepseek-reasoner", "0.275");
        return m;
    }

    static Map<String, BigDecimal> completionRatios() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        // new-api's defaultCompletionRatio
        put(m, "gpt-4-gizmo-*", "2");
        put(m, "gpt-4o-gizmo-*", "3");
        put(m, "gpt-4-all", "2");
        put(m, "gpt-image-1", "8");
        // Corrections (see PRICING.md): new-api's rules give gpt-4.1 2 and o4-mini 1; OpenAI's prices are 4x.
        // These rules are not "locked" in new-api, so a CompletionRatio entry legitimately overrides them.
        for (String model : new String[] {"gpt-4.1", "gpt-4.1-2025-04-14", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14",
                "gpt-4.1-nano", "gpt-4.1-nano-2025-04-14", "o4-mini", "o4-mini-2025-04-16", "o4-mini-deep-research"}) {
            put(m, model, "4");
        }
        return m;
    }

    static Map<String, BigDecimal> groupRatios() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        put(m, "default", "1");
        put(m, "vip", "1");
        put(m, "svip", "1");
        return m;
    }

    static Map<String, BigDecimal> modelPrices() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        put(m, "dall-e-3", "0.04");
        put(m, "imagen-3.0-generate-002", "0.03");
        put(m, "gpt-4-gizmo-*", "0.1");
        put(m, "gpt-4o-mini-tts", "0.3");
        put(m, "sora-2", "0.3");
        put(m, "sora-2-pro", "0.5");
        put(m, "suno_music", "0.1");
        put(m, "suno_lyrics", "0.01");
        put(m, "mj_imagine", "0.1");
        return m;
    }

    /** new-api's {@code defaultCacheRatio} for the models above (a cache read at this fraction of the input price). */
    static Map<String, BigDecimal> cacheRatios() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        for (String model : new String[] {"gpt-4", "o1", "o1-2024-12-17", "o1-preview", "o1-mini", "o3-mini",
                "o3-mini-2025-01-31", "gpt-4o-2024-11-20", "gpt-4o-2024-08-06", "gpt-4o", "gpt-4o-mini-2024-07-18",
                "gpt-4o-mini", "gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview", "gpt-4.5-preview"}) {
            put(m, model, "0.5");
        }
        for (String model : new String[] {"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "deepseek-chat",
                "deepseek-reasoner"}) {
            put(m, model, "0.25");
        }
        for (String model : new String[] {"gpt-5", "gpt-5-2025-08-07", "gpt-5-chat-latest", "gpt-5-mini",
                "gpt-5-mini-2025-08-07", "gpt-5-nano", "gpt-5-nano-2025-08-07"}) {
            put(m, model, "0.1");
        }
        for (String model : CLAUDE_CACHING_MODELS) {
            put(m, model, "0.1");
        }
        return m;
    }

    /** new-api's {@code defaultCreateCacheRatio}: a (5-minute) cache write at 1.25 x the input price. */
    static Map<String, BigDecimal> createCacheRatios() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        for (String model : CLAUDE_CACHING_MODELS) {
            put(m, model, "1.25");
        }
        return m;
    }

    /**
     * The output limit assumed for a request that names none: 8192 for Claude models (new-api's
     * {@code ClaudeDefaultMaxTokens}), 4096 for every other model.
     */
    static Map<String, BigDecimal> defaultMaxOutputTokens() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        put(m, PricingConfig.ANY_MODEL, "4096");
        for (String model : CLAUDE_CACHING_MODELS) {
            put(m, model, "8192");
        }
        return m;
    }

    private static final String[] CLAUDE_CACHING_MODELS = {"claude-3-opus-20240229", "claude-3-haiku-20240307",
            "claude-3-5-haiku-20241022", "claude-haiku-4-5-20251001", "claude-3-5-sonnet-20240620",
            "claude-3-5-sonnet-20241022", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet-20250219-thinking",
            "claude-sonnet-4-20250514", "claude-opus-4-20250514", "claude-opus-4-1-20250805",
            "claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101"};

    private static void put(Map<String, BigDecimal> m, String name, String value) {
        m.put(name, new BigDecimal(value));
    }
}
