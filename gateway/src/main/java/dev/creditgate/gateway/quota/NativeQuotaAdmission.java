package dev.creditgate.gateway.quota;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.web.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Admission of {@code source = native} tokens, new-api's way: estimate (pre-consume), reserve on the token
 * and its user atomically, settle by delta after the answer, refund on every failure path. See QUOTA.md.
 * Reached through {@link AdmissionRouter}.
 */
@Component
class NativeQuotaAdmission implements Admission {

    private final RequestPricing pricing;
    private final QuotaStore store;
    private final Counter overage;
    private final Counter settlementFailures;

    NativeQuotaAdmission(RequestPricing pricing, QuotaStore store, MeterRegistry metrics) {
        this.pricing = pricing;
        this.store = store;
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
        long need = priced.quota();
        ReserveOutcome outcome = store.reserve(token.tokenId(), token.unlimitedQuota(), token.userId(), need);
        return switch (outcome.status()) {
            case RESERVED -> new NativeAdmitted(outcome.reservation(), priced, request.model(), pricing, store,
                    overage, settlementFailures);
            case TOKEN_QUOTA_SHORT -> throw new AdmissionRefusedException(ErrorCode.PRE_CONSUME_TOKEN_QUOTA_FAILED,
                    "token quota insufficient, remaining: " + outcome.remaining() + ", need: " + need
                            + " (quota units, 500000 = 1 USD)");
            case USER_QUOTA_SHORT -> throw new AdmissionRefusedException(ErrorCode.INSUFFICIENT_QUOTA,
                    "user quota insufficient, remaining: " + outcome.remaining() + ", need: " + need
                            + " (quota units, 500000 = 1 USD)");
        };
    }
}
