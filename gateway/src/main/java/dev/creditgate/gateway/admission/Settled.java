package dev.creditgate.gateway.admission;

import java.math.BigDecimal;
import java.util.Objects;

import dev.creditgate.gateway.pricing.Price;
import dev.creditgate.gateway.pricing.RequestPricing;
import dev.creditgate.gateway.pricing.TokenUsage;

/**
 * What a settlement charged: written into the request's log row.
 *
 * @param quota   the charge in gateway quota units (500,000 = 1 USD): new-api's integer quota
 * @param costUsd the charge in exact USD (for {@code letaicode} tokens what the platform receives; for native tokens
 *                {@code quota / 500,000})
 * @param tokens  the tokens charged for (may differ from what the upstream reported: estimated from the delivered
 *                text, the prompt estimate filling a missing half, only the delivered part of an answer cut off by the
 *                client), or null when they are the observed ones
 * @param price   the price snapshot used, or null when nothing was priced
 * @param basis   how the charge was arrived at, or null when nothing was priced
 */
public record Settled(long quota, BigDecimal costUsd, TokenUsage tokens, Price price, RequestPricing.Basis basis) {

    /** Nothing charged, nothing priced (free admission). */
    public static final Settled NOTHING = new Settled(0, BigDecimal.ZERO, null, null, null);

    public Settled {
        Objects.requireNonNull(costUsd, "costUsd");
    }

    /** The charge as computed, in the unit the sink records it: quota for native, USD for credit. */
    public static Settled of(RequestPricing.Charge charge, BigDecimal costUsd) {
        return new Settled(charge.quota(), costUsd, charge.nothing() ? null : charge.tokens(), charge.price(),
                charge.basis());
    }
}
