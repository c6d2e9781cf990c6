package dev.creditgate.gateway.pricing;

import dev.creditgate.gateway.option.OptionService;
import dev.creditgate.gateway.pricing.Pricer;
import dev.creditgate.gateway.pricing.PricingConfig;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The {@link Pricer} for the options in force ({@code ModelRatio}, {@code CompletionRatio}, {@code GroupRatio},
 * {@code ModelPrice}, {@code CacheRatio}, {@code CreateCacheRatio}, {@code DefaultMaxOutputTokens},
 * {@code AllowUnpricedModels}), rebuilt only when one of their stored values changes.
 * An option not stored anywhere keeps new-api's default. A stored value that does not parse (it cannot be
 * written through {@code PUT /api/option/}, but a hand-edited row could) leaves the previous prices in force.
 */
@Component
public class PricerSource {

    private static final Logger log = LoggerFactory.getLogger(PricerSource.class);
    private static final String[] KEYS = PricingConfig.KEY_ORDER.toArray(String[]::new);

    private final OptionService options;
    private volatile Snapshot current = new Snapshot(new String[KEYS.length], false, Pricer.defaults());

    PricerSource(OptionService options) {
        this.options = options;
    }

    /** The prices in force now; cheap (compares a few strings with the last ones). */
    public Pricer pricer() {
        String[] raw = new String[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            raw[i] = options.get(KEYS[i], null);
        }
        boolean allowUnpriced = options.getBoolean(PricingConfig.ALLOW_UNPRICED_MODELS, false);
        Snapshot last = current;
        if (last.allowUnpriced == allowUnpriced && Arrays.equals(last.raw, raw)) {
            return last.pricer;
        }
        PricingConfig config = PricingConfig.defaults();
        try {
            for (int i = 0; i < KEYS.length; i++) {
                if (raw[i] != null && !raw[i].isBlank()) {
                    config = config.with(KEYS[i], raw[i]);
                }
            }
        } catch (RuntimeException e) {
            log.warn("pricing options do not parse, keeping the previous prices: {}", e.getMessage());
            current = new Snapshot(raw, allowUnpriced, last.pricer); // warn once per bad value
            return last.pricer;
        }
        Snapshot next = new Snapshot(raw, allowUnpriced, new Pricer(config, allowUnpriced));
        current = next;
        return next.pricer;
    }

    private record Snapshot(String[] raw, boolean allowUnpriced, Pricer pricer) {
        Snapshot {
            Objects.requireNonNull(pricer);
        }
    }
}
