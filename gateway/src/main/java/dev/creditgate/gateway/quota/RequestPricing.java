package dev.creditgate.gateway.quota;

import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.Estimate;
import dev.creditgate.gateway.pricing.MaxTokens;
import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.pricing.Pricer;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a request costs, for any admission (native quota, credit platform): the estimate before the relay
 * (prompt tokens counted from the body, new-api's pre-consume formula) and the charge after it, from the
 * upstream's usage or, when it reported none, from the text that was delivered.
 *
 * <p>Charging rules (QUOTA.md "Settlement"):
 * <ul>
 *   <li>nothing reached the client: 0 (the reservation is refunded in full);</li>
 *   <li>the client went away mid-answer: the delivered text (counted) plus the prompt, never the full
 *       reservation, never zero;</li>
 *   <li>the upstream reported usage: that usage; a missing half is filled in (prompt: the estimate's count,
 *       completion: the delivered text counted);</li>
 *   <li>no usage: prompt estimate plus the delivered text counted.</li>
 * </ul>
 * A {@code ModelPrice} model costs its fixed price whenever anything was delivered.
 */
@Component
public class RequestPricing {

    private final Supplier<Pricer> pricers;
    private final TokenCounter tokenCounter;

    @Autowired
    RequestPricing(PricerSource pricers) {
        this(pricers::pricer, TokenCounter.shared());
    }

    RequestPricing(Supplier<Pricer> pricers, TokenCounter tokenCounter) {
        this.pricers = pricers;
        this.tokenCounter = tokenCounter;
    }

    /** The priced estimate of one request, with the prompt tokens it counted. */
    public record Priced(Estimate estimate, int promptTokens) {

        public Priced {
            Objects.requireNonNull(estimate, "estimate");
            if (!estimate.isPriced()) {
                throw new IllegalArgumentException("estimate: " + estimate.outcome() + " (expected: PRICED)");
            }
        }

        /** new-api's pre-consume quota: what a native admission reserves. */
        public long quota() {
            return estimate.quota();
        }
    }

    /** How a charge was arrived at. */
    public enum Basis {
        /** The upstream's reported usage. */
        UPSTREAM_USAGE,
        /** The upstream reported no usage: prompt estimate plus the delivered text, counted. */
        ESTIMATED_FROM_TEXT,
        /** The client went away: prompt plus what was delivered before it left. */
        DELIVERED_BEFORE_DISCONNECT,
        /** Nothing reached the client: nothing charged. */
        NOTHING_DELIVERED
    }

    /** The settled charge: the tokens it is based on and the quota. */
    public record Charge(int promptTokens, int completionTokens, long quota, Basis basis) {

        /** The usage this charge bills, for the log row ({@link dev.creditgate.gateway.admission.Admitted#chargedUsage}). */
        public UsageReport asChargedUsage(UsageReport relayed) {
            return new UsageReport(promptTokens, completionTokens, promptTokens + completionTokens,
                    relayed.deliveredText(), relayed.anyByteDelivered(), relayed.clientDisconnected());
        }
    }

    /**
     * Estimates the request's cost.
     *
     * @throws AdmissionRefusedException 400 {@code model_price_error} when the model has no price (and
     *                                   {@code AllowUnpricedModels} is off); 400 for a bad {@code max_tokens}
     */
    public Priced estimate(AdmissionRequest request) {
        ObjectNode body = request.body();
        Integer maxTokens;
        try {
            maxTokens = MaxTokens.orNull(body);
        } catch (IllegalArgumentException e) {
            throw new AdmissionRefusedException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        int promptTokens = promptTokens(request);
        Estimate estimate = pricers.get().estimate(request.model(), request.token().group(), promptTokens, maxTokens);
        if (!estimate.isPriced()) {
            throw new AdmissionRefusedException(ErrorCode.MODEL_PRICE_ERROR, estimate.errorMessage());
        }
        return new Priced(estimate, promptTokens);
    }

    /** What the request costs, given what the relay observed. */
    public Charge charge(Priced priced, String model, UsageReport usage) {
        if (!usage.anyByteDelivered()) {
            return new Charge(0, 0, 0, Basis.NOTHING_DELIVERED);
        }
        int prompt;
        int completion;
        Basis basis;
        if (usage.clientDisconnected()) {
            prompt = usage.promptTokens() != null ? usage.promptTokens() : priced.promptTokens();
            completion = tokenCounter.countText(model, usage.deliveredText());
            basis = Basis.DELIVERED_BEFORE_DISCONNECT;
        } else if (usage.hasUpstreamUsage()) {
            prompt = usage.promptTokens() != null ? usage.promptTokens() : priced.promptTokens();
            completion = usage.completionTokens() != null ? usage.completionTokens()
                    : tokenCounter.countText(model, usage.deliveredText());
            basis = Basis.UPSTREAM_USAGE;
        } else {
            prompt = priced.promptTokens();
            completion = tokenCounter.countText(model, usage.deliveredText());
            basis = Basis.ESTIMATED_FROM_TEXT;
        }
        prompt = Math.max(0, prompt);
        completion = Math.max(0, completion);
        return new Charge(prompt, completion, priced.estimate().price().settle(prompt, completion), basis);
    }

    private int promptTokens(AdmissionRequest request) {
        ObjectNode body = request.body();
        String model = request.model();
        return switch (request.endpoint()) {
            case CHAT_COMPLETIONS -> tokenCounter.countChatCompletion(model, body);
            case EMBEDDINGS -> tokenCounter.countEmbeddingInput(model, body);
            case RESPONSES -> tokenCounter.countResponsesInput(model, body);
            case MESSAGES -> tokenCounter.countAnthropicMessages(model, body);
        };
    }
}
