package dev.creditgate.gateway.relay;

import java.math.BigDecimal;
import java.util.concurrent.ConcurrentHashMap;

import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.pricing.Price;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * new-api's log {@code other} field: the ratios a charge was computed with and its cache tokens, under new-api's
 * names ({@code model_ratio}, {@code group_ratio}, {@code completion_ratio}, {@code model_price}, {@code cache_tokens},
 * {@code cache_ratio}, {@code cache_creation_tokens}, {@code cache_creation_ratio}, {@code cache_creation_tokens_5m},
 * {@code cache_creation_ratio_5m}, {@code cache_creation_tokens_1h}, {@code cache_creation_ratio_1h}), plus
 * {@code output_limit} when the gateway set the limit sent upstream. The text of a price alone (no cache tokens, no
 * output limit: most rows) is built once per price and kept.
 */
final class LogOther {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_KEPT = 1024;
    private static final ConcurrentHashMap<Price, String> BY_PRICE = new ConcurrentHashMap<>();

    private LogOther() {
    }

    static String of(Price price, CacheTokens cache, Integer outputLimit) {
        if (price == null && cache.isNone() && outputLimit == null) {
            return "";
        }
        if (price != null && cache.isNone() && outputLimit == null) {
            String kept = BY_PRICE.get(price);
            if (kept == null) {
                if (BY_PRICE.size() >= MAX_KEPT) {
                    BY_PRICE.clear(); // prices change with the options: old ones go, the current ones come back
                }
                kept = build(price, cache, null);
                BY_PRICE.put(price, kept);
            }
            return kept;
        }
        return build(price, cache, outputLimit);
    }

    private static String build(Price price, CacheTokens cache, Integer outputLimit) {
        ObjectNode o = JSON.createObjectNode();
        if (price != null) {
            o.put("model_ratio", price.modelRatio());
            o.put("group_ratio", price.groupRatio());
            o.put("completion_ratio", price.completionRatio());
            o.put("model_price", price.modelPriceUsd() == null ? BigDecimal.ONE.negate() : price.modelPriceUsd());
        }
        if (!cache.isNone()) {
            o.put("cache_tokens", cache.read());
            o.put("cache_creation_tokens", (long) cache.write() + cache.write1h());
            o.put("cache_creation_tokens_5m", cache.write());
            o.put("cache_creation_tokens_1h", cache.write1h());
            if (price != null) {
                o.put("cache_ratio", price.cacheRatio());
                o.put("cache_creation_ratio", price.createCacheRatio());
                o.put("cache_creation_ratio_5m", price.createCacheRatio());
                o.put("cache_creation_ratio_1h", price.createCacheRatio1h());
            }
        }
        if (outputLimit != null) {
            o.put("output_limit", outputLimit);
        }
        return JSON.writeValueAsString(o);
    }
}
