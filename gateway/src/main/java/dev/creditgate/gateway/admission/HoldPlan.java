package dev.creditgate.gateway.admission;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

import dev.creditgate.gateway.pricing.QuotaUnits;
import dev.creditgate.gateway.pricing.RequestPricing;
import dev.creditgate.gateway.pricing.WorstCase;

/**
 * What one admission reserves and which output limit it sends upstream, for either kind of balance (native quota,
 * platform credit). With {@link OutputCap#OFF} it is new-api's estimate and the request goes upstream unchanged;
 * otherwise it is the worst case ({@link WorstCase}) and the limit it covers is always sent upstream, so that an
 * upstream that honours it cannot cost more than was reserved.
 *
 * @param cap    the policy
 * @param priced the request's estimate
 * @param worst  the worst case reserved for (null with {@link OutputCap#OFF})
 */
public record HoldPlan(OutputCap cap, RequestPricing.Priced priced, WorstCase worst) {

    public HoldPlan {
        Objects.requireNonNull(cap, "cap");
        Objects.requireNonNull(priced, "priced");
        if ((cap == OutputCap.OFF) != (worst == null)) {
            throw new IllegalArgumentException("a worst case exactly when the cap is on (cap " + cap + ")");
        }
    }

    public static HoldPlan of(RequestPricing.Priced priced, OutputCap cap) {
        return new HoldPlan(cap, priced, cap == OutputCap.OFF ? null : priced.worstCase());
    }

    /** The amount in integer quota (rounded up for a worst case; new-api's truncated estimate otherwise). */
    public long quota() {
        return worst == null ? priced.quota() : worst.quota();
    }

    /** The amount in exact USD. */
    public BigDecimal usd() {
        return worst == null ? priced.estimateUsd() : worst.usd();
    }

    /** The output limit to send upstream, or null to leave the request as it is. */
    public Integer outputLimit() {
        return worst == null ? null : worst.outputLimit();
    }

    /** Whether the limit sent upstream is below the one the request (or the default) asked for. */
    public boolean clamped() {
        return worst != null && worst.outputLimit() < priced.outputLimit();
    }

    /** The largest output limit whose worst case fits an available amount in USD (-1: not even the prompt). */
    public int affordableOutput(BigDecimal availableUsd) {
        return (worst != null ? worst : priced.worstCase()).affordableOutputForUsd(availableUsd);
    }

    /** {@link #affordableOutput(BigDecimal)} for an available amount in integer quota. */
    public int affordableOutput(long availableQuota) {
        return affordableOutput(QuotaUnits.quotaToUsd(Math.max(0, availableQuota)));
    }

    /**
     * After a refusal: with {@link OutputCap#CLAMP}, the plan for the output the available amount affords, when that
     * is at least {@code minOutput} and below the current limit; empty otherwise (the request is refused).
     */
    public Optional<HoldPlan> clampedTo(int affordableOutput, int minOutput) {
        if (cap != OutputCap.CLAMP || affordableOutput < Math.max(1, minOutput)
                || affordableOutput >= worst.outputLimit()) {
            return Optional.empty();
        }
        return Optional.of(new HoldPlan(cap, priced, worst.withOutputLimit(affordableOutput)));
    }

    /**
     * The refusal text's tail for a worst-case plan of a per-token price: {@code "; the credit affords 120 of 4096
     * output tokens (minimum 256)"}; empty otherwise (the output limit does not change a fixed price).
     */
    public String affordsText(int affordableOutput, int minOutput) {
        if (worst == null || priced.price().kind() == dev.creditgate.gateway.pricing.Price.Kind.FIXED) {
            return "";
        }
        String affords = affordableOutput < 0 ? "not even the prompt" : affordableOutput + " of "
                + priced.outputLimit() + " output tokens";
        return "; the credit affords " + affords + (cap == OutputCap.CLAMP ? " (minimum " + minOutput + ")" : "");
    }
}
