package dev.creditgate.gateway.quota;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.HoldPlan;
import dev.creditgate.gateway.admission.OutputCap;
import dev.creditgate.gateway.admission.Settlement;
import dev.creditgate.gateway.option.OptionService;
import dev.creditgate.gateway.pricing.RequestPricing;
import dev.creditgate.gateway.web.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Admission of {@code source = native} tokens, new-api's way: estimate (pre-consume), reserve on the token
 * and its user atomically, settle by delta after the answer, refund on every failure path. See QUOTA.md.
 * With {@code native_output_cap} {@code clamp} or {@code refuse} (default {@code off}: new-api's estimate), the
 * reservation is the worst case and the output limit sent upstream is the one it covers, as for credit holds.
 * Reached through {@link AdmissionRouter}.
 */
@Component
class NativeQuotaAdmission implements Admission {

    static final String OPT_OUTPUT_CAP = "native_output_cap";
    static final String OPT_MIN_OUTPUT = "native_min_output_tokens";
    static final int DEFAULT_MIN_OUTPUT = 256;

    private final RequestPricing pricing;
    private final QuotaStore store;
    private final Supplier<OutputCap> outputCap;
    private final IntSupplier minOutput;
    private final Counter overage;
    private final Counter settlementFailures;

    @Autowired
    NativeQuotaAdmission(RequestPricing pricing, QuotaStore store, OptionService options, MeterRegistry metrics) {
        this(pricing, store, () -> outputCap(options),
                () -> Math.max(1, options.getInt(OPT_MIN_OUTPUT, DEFAULT_MIN_OUTPUT)), metrics);
    }

    NativeQuotaAdmission(RequestPricing pricing, QuotaStore store, Supplier<OutputCap> outputCap, IntSupplier minOutput,
                         MeterRegistry metrics) {
        this.pricing = pricing;
        this.store = store;
        this.outputCap = outputCap;
        this.minOutput = minOutput;
        this.overage = Counter.builder("gateway.quota.overage")
                .description("quota charged above its reservation at settlement (may leave a balance below zero)")
                .baseUnit("quota")
                .register(metrics);
        this.settlementFailures = Counter.builder("gateway.quota.settlement.failures")
                .description("settlements or refunds that could not be written; the reservation stayed taken")
                .register(metrics);
    }

    /**
     * @throws AdmissionRefusedException 400 {@code model_price_error} (model without price), 403
     *                                   {@code pre_consume_token_quota_failed} (token short) or 403
     *                                   {@code insufficient_user_quota} (user short)
     */
    @Override
    public Admitted admit(AdmissionRequest request) {
        RequestPricing.Priced priced = pricing.estimate(request);
        AdmissionRequest.TokenInfo token = request.token();
        HoldPlan plan = HoldPlan.of(priced, outputCap.get());
        int minOutput = this.minOutput.getAsInt();
        while (true) {
            long need = plan.quota();
            ReserveOutcome outcome = store.reserve(token.tokenId(), token.unlimitedQuota(), token.userId(), need);
            if (outcome.status() == ReserveOutcome.Status.RESERVED) {
                return new Settlement(plan, request.model(), pricing, new QuotaSink(store, outcome.reservation()),
                        overage, settlementFailures);
            }
            int affordable = plan.affordableOutput(outcome.remaining());
            var smaller = plan.clampedTo(affordable, minOutput);
            if (smaller.isPresent()) {
                plan = smaller.get(); // the balance moved meanwhile? the loop asks again, and ends: the limit only falls
                continue;
            }
            String tail = " (quota units, 500000 = 1 USD)" + plan.affordsText(affordable, minOutput);
            throw switch (outcome.status()) {
                case TOKEN_QUOTA_SHORT -> new AdmissionRefusedException(ErrorCode.PRE_CONSUME_TOKEN_QUOTA_FAILED,
                        "token quota insufficient, remaining: " + outcome.remaining() + ", need: " + need + tail);
                default -> new AdmissionRefusedException(ErrorCode.INSUFFICIENT_QUOTA,
                        "user quota insufficient, remaining: " + outcome.remaining() + ", need: " + need + tail);
            };
        }
    }

    private static OutputCap outputCap(OptionService options) {
        try {
            return OutputCap.parse(options.get(OPT_OUTPUT_CAP, null), OutputCap.OFF);
        } catch (IllegalArgumentException e) {
            return OutputCap.OFF; // the option validator keeps bad values out; a hand-edited row falls back here
        }
    }
}
