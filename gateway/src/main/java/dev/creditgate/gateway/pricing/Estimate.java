package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;

/**
 * The result of {@link Pricer#estimate}: either {@link Outcome#PRICED} with the pre-consume quota and the
 * price snapshot to settle with, or {@link Outcome#MODEL_PRICE_MISSING} (the relay answers 400
 * {@code model_price_error}) with quota 0 and no price.
 *
 * @param outcome              priced, or the model has no price
 * @param model                the model asked for
 * @param group                the group asked for
 * @param quota                new-api's pre-consume quota (see {@link Price#estimate})
 * @param price                the price snapshot; null when the model price is missing
 */
public record Estimate(Outcome outcome, String model, String group, long quota, Price price) {

    /** Named outcomes of an estimate. */
    public enum Outcome {
        PRICED,
        /** No ModelRatio and no ModelPrice for the model, and AllowUnpricedModels is off. */
        MODEL_PRICE_MISSING
    }

    /** The wire error code the relay uses for {@link Outcome#MODEL_PRICE_MISSING}. */
    public static final String MODEL_PRICE_ERROR_CODE = "model_price_error";

    public boolean isPriced() {
        return outcome == Outcome.PRICED;
    }

    /** {@link #quota} in USD, exact (scale 6). */
    public BigDecimal usd() {
        return QuotaUnits.quotaToUsd(quota);
    }


    /** The message for a missing price (names the model), or null when priced. */
    public String errorMessage() {
        if (isPriced()) {
            return null;
        }
        return "model " + model + " has no price: set its ModelRatio or ModelPrice option, "
                + "or turn on AllowUnpricedModels";
    }

    static Estimate missing(String model, String group) {
        return new Estimate(Outcome.MODEL_PRICE_MISSING, model, group, 0, null);
    }
}
