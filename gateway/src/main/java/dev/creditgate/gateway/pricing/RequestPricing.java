package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.function.Supplier;

import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.web.ErrorCode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a request costs, for any admission (native quota, credit platform): the estimate before the relay
 * (prompt tokens counted from the body, new-api's pre-consume formula, and the worst case for holds) and the
 * charge after it, from the upstream's usage or, when it reported none, from the text that was delivered.
 *
 * <p>Charging rules (QUOTA.md "Settlement"):
 * <ul>
 *   <li>the upstream's whole answer was received (non-stream): its usage, even when the client left before it
 *       could be written (the upstream bills it too);</li>
 *   <li>otherwise nothing reached the client: 0 (the reservation is given back in full);</li>
 *   <li>the client went away mid-stream: the delivered text (counted) plus the prompt, never the full
 *       reservation, never zero;</li>
 *   <li>the upstream reported usage: that usage, cache tokens included; a missing half is filled in (prompt: the
 *       estimate's count, completion: the delivered text counted);</li>
 *   <li>no usage: prompt estimate plus the delivered text counted.</li>
 * </ul>
 * A {@code ModelPrice} model costs its fixed price whenever anything was charged.
 */
@Component
public class RequestPricing {

    private final Supplier<Pricer> pricers;
    private final TokenCounter tokenCounter;

    @Autowired
    RequestPricing(PricerSource pricers) {
        this(pricers::pricer, TokenCounter.shared());
    }

    public RequestPricing(Supplier<Pricer> pricers, TokenCounter tokenCounter) {
        this.pricers = pricers;
        this.tokenCounter = tokenCounter;
    }

    /**
     * The priced estimate of one request.
     *
     * @param estimate       new-api's pre-consume estimate and the price snapshot
     * @param promptTokens   the prompt tokens counted from the body
     * @param requestedLimit the request's own output limit ({@code max_tokens}-style), or null when it named none
     * @param defaultLimit   the output limit assumed when it named none ({@code DefaultMaxOutputTokens})
     */
    public record Priced(Estimate estimate, int promptTokens, Integer requestedLimit, int defaultLimit) {

        public Priced {
            Objects.requireNonNull(estimate, "estimate");
            if (!estimate.isPriced()) {
                throw new IllegalArgumentException("estimate: " + estimate.outcome() + " (expected: PRICED)");
            }
        }

        public Price price() {
            return estimate.price();
        }

        /** new-api's pre-consume quota (the reservation when output caps are off). */
        public long quota() {
            return estimate.quota();
        }

        /** new-api's pre-consume estimate in exact USD (not through integer quota). */
        public BigDecimal estimateUsd() {
            return QuotaUnits.rawQuotaToUsd(price().rawEstimate(promptTokens, requestedLimit));
        }

        /** The output limit a worst-case hold covers: the request's, else the default. */
        public int outputLimit() {
            return requestedLimit != null ? requestedLimit : defaultLimit;
        }

        /** The most this request can cost with {@link #outputLimit}. */
        public WorstCase worstCase() {
            return price().worstCase(promptTokens, outputLimit());
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

    /**
     * The settled charge.
     *
     * @param tokens  the tokens it is based on
     * @param price   the price snapshot it was computed with
     * @param quota   new-api's integer quota (what a native token is charged)
     * @param costUsd the exact USD (what a {@code letaicode} token is charged)
     * @param basis   how it was arrived at
     */
    public record Charge(TokenUsage tokens, Price price, long quota, BigDecimal costUsd, Basis basis) {

        public boolean nothing() {
            return basis == Basis.NOTHING_DELIVERED;
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
            maxTokens = request.endpoint() == EndpointKind.GEMINI ? MaxTokens.gemini(body) : MaxTokens.orNull(body);
        } catch (IllegalArgumentException e) {
            throw new AdmissionRefusedException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        int promptTokens = promptTokens(request);
        Pricer pricer = pricers.get();
        Estimate estimate = pricer.estimate(request.model(), request.token().group(), promptTokens, maxTokens);
        if (!estimate.isPriced()) {
            throw new AdmissionRefusedException(ErrorCode.MODEL_PRICE_ERROR, estimate.errorMessage());
        }
        return new Priced(estimate, promptTokens, maxTokens, pricer.config().defaultMaxOutputTokens(request.model()));
    }

    /** What the request costs, given what the relay observed. */
    public Charge charge(Priced priced, String model, UsageReport usage) {
        Price price = priced.price();
        boolean received = usage.answerReceived();
        if (!usage.anyByteDelivered() && !received) {
            return new Charge(new TokenUsage(0, 0), price, 0, BigDecimal.ZERO, Basis.NOTHING_DELIVERED);
        }
        int prompt;
        int completion;
        Basis basis;
        if (usage.clientDisconnected() && !received) {
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
        CacheTokens cache = usage.promptTokens() != null ? fitted(usage.cache(), prompt) : CacheTokens.NONE;
        TokenUsage tokens = new TokenUsage(prompt, completion, cache);
        return new Charge(tokens, price, price.settle(tokens), price.costUsd(tokens), basis);
    }

    /** Cache tokens never exceed the prompt they are part of (an upstream's inconsistent usage is not a discount). */
    private static CacheTokens fitted(CacheTokens cache, int prompt) {
        if (cache.total() <= prompt) {
            return cache;
        }
        int read = Math.min(cache.read(), prompt);
        int write = Math.min(cache.write(), prompt - read);
        return new CacheTokens(read, write, Math.min(cache.write1h(), prompt - read - write));
    }

    private int promptTokens(AdmissionRequest request) {
        ObjectNode body = request.body();
        String model = request.model();
        return switch (request.endpoint()) {
            case CHAT_COMPLETIONS -> tokenCounter.countChatCompletion(model, body);
            case EMBEDDINGS -> tokenCounter.countEmbeddingInput(model, body);
            case RESPONSES -> tokenCounter.countResponsesInput(model, body);
            case MESSAGES -> tokenCounter.countAnthropicMessages(model, body);
            case GEMINI -> tokenCounter.countGeminiContents(model, body);
        };
    }
}
