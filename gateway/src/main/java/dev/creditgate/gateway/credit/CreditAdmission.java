package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.HoldPlan;
import dev.creditgate.gateway.admission.Settlement;
import dev.creditgate.gateway.pricing.RequestPricing;
import dev.creditgate.gateway.usage.outbox.OutboxKind;
import dev.creditgate.gateway.usage.outbox.UsageOutbox;
import dev.creditgate.gateway.usage.outbox.UsagePayload;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.RateLimitedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The real-time credit decision (SPEC 4) for tokens whose source is not {@code native} (reached through the quota
 * package's {@code AdmissionRouter}, which looks this bean up by its name {@value #BEAN_NAME}). See CREDIT-MODES.md.
 *
 * <ol>
 *   <li>estimate with the native path's {@link RequestPricing} (400 {@code model_price_error} when unpriced), sized
 *       by {@code letaicode_output_cap} ({@link HoldPlan}: the worst case, clamped to what the credit affords);</li>
 *   <li>{@code check} mode: balance query and the seed's two rules (as {@link CreditCheck#check});
 *       {@code reserve} mode (default): with {@code letaicode_lease} on (default), the worst case admitted against
 *       this instance's lease of the user ({@link CreditLeases}), locally; else, or when it does not fit, a hold for
 *       the worst case ({@link CreditPlatformClient#createHold}, idempotent on the request id), asked again for a
 *       lower output limit when refused and {@code clamp} is on (first giving back this instance's unused lease);</li>
 *   <li>the platform unavailable: {@code letaicode_fallback} ({@link FallbackPolicy});</li>
 *   <li>allowed: the intent row goes into the usage outbox (the only synchronous database work) and the request is
 *       relayed; refused: 403 {@code insufficient_user_quota}, 503 {@code credit_service_unavailable} or 401
 *       (key unknown to the platform), and the upstream is not called.</li>
 * </ol>
 */
@Component(CreditAdmission.BEAN_NAME)
class CreditAdmission implements Admission {

    static final String BEAN_NAME = "creditAdmission";
    private static final Logger log = LoggerFactory.getLogger(CreditAdmission.class);

    private final RequestPricing pricing;
    private final CreditPlatformClient client;
    private final CreditCheck check;
    private final FallbackPolicy fallback;
    private final CreditOptions options;
    private final UsageOutbox outbox;
    private final JdbcClient jdbc;
    private final CreditProperties properties;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final ConcurrentHashMap<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Counter settleFailures;
    private final Counter overage;
    private final ActiveHolds activeHolds;
    private final CreditLeases leases;
    private static final int MAX_CLAMP_ATTEMPTS = 3;
    private static final int USD_DIGITS = 12;

    CreditAdmission(RequestPricing pricing, CreditPlatformClient client, CreditCheck check, FallbackPolicy fallback,
                    CreditOptions options, UsageOutbox outbox, JdbcClient jdbc, CreditProperties properties,
                    Clock clock, MeterRegistry metrics, ActiveHolds activeHolds,
                    CreditLeases leases) {
        this.pricing = pricing;
        this.client = client;
        this.check = check;
        this.fallback = fallback;
        this.options = options;
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
        this.activeHolds = activeHolds;
        this.leases = leases;
        this.overage = Counter.builder("creditgate.credit.overage")
                .description("cost charged above its hold (an upstream that ignored the output limit): debt at the"
                        + " platform")
                .baseUnit("quota")
                .register(metrics);
        this.settleFailures = Counter.builder("creditgate.credit.settlement.failures")
                .description("credit settlements that could not be written to the outbox (recovery charges the"
                        + " estimate)")
                .register(metrics);
    }

    @Override
    public Admitted admit(AdmissionRequest request) {
        AdmissionRequest.TokenInfo token = request.token();
        String keyId = token.remoteKeyId();
        if (keyId == null || keyId.isBlank()) {
            throw new AdmissionRefusedException(ErrorCode.INVALID_API_KEY, "token " + token.tokenId()
                    + " has source " + token.source() + " but no remote_key_id: the credit platform cannot be asked");
        }
        CreditMode mode;
        try {
            mode = options.mode();
        } catch (IllegalArgumentException e) {
            mode = CreditMode.RESERVE; // the validator keeps bad values out; a hand-edited row falls back here
        }
        RequestPricing.Priced priced = pricing.estimate(request);
        HoldPlan plan = HoldPlan.of(priced, options.outputCap());
        int minOutput = options.minOutputTokens();
        LocalQuota local = ownerQuota(token.userId());
        String holdId = null;
        boolean platformAnswered;
        CreditVerdict verdict;
        BigDecimal availableUsd = null; // what the platform said is available, in USD (null: it said nothing)
        if (mode == CreditMode.CHECK) {
            BalanceResult r = client.balance(keyId);
            platformAnswered = !(r instanceof Unavailable);
            if (r instanceof BalanceResult.Balance b) {
                availableUsd = usd(b.credit(), b.creditsPerUsd());
                if (plan.usd().compareTo(availableUsd) > 0) {
                    plan = plan.clampedTo(plan.affordableOutput(availableUsd), minOutput).orElse(plan);
                }
            }
            verdict = decideBalance(r, keyId, plan.quota(), local);
        } else {
            Lease lease = leases.admit(keyId, plan.usd());
            if (lease != null) {
                count(mode.option(), "leased");
                return leased(request, plan, lease);
            }
            HoldResult h = hold(request, keyId, plan);
            if (h instanceof HoldResult.Refused && leases.giveBack(keyId)) {
                h = hold(request, keyId, plan); // the credit sat in this instance's lease: ask once more
            }
            // Refused for the worst case: with clamp, ask again for the output the available credit affords (the
            // refusal deleted the hold, so the request id is free; the limit only falls, so this ends).
            for (int attempt = 0; h instanceof HoldResult.Refused refused; attempt++) {
                availableUsd = usd(refused.available(), fallback.rate(keyId));
                var smaller = plan.clampedTo(plan.affordableOutput(availableUsd), minOutput);
                if (attempt == MAX_CLAMP_ATTEMPTS || smaller.isEmpty()) {
                    break;
                }
                plan = smaller.get();
                h = hold(request, keyId, plan);
            }
            platformAnswered = !(h instanceof Unavailable);
            if (h instanceof HoldResult.Granted g) {
                holdId = g.holdId();
            }
            verdict = check.verdictFor(h, keyId, plan.quota(), local);
        }
        String m = mode.option();
        return switch (verdict) {
            case CreditVerdict.Allow a -> {
                count(m, a.basis() != CreditVerdict.Basis.PLATFORM ? "fallback_allowed"
                        : plan.clamped() ? "clamped" : "allowed");
                yield admitted(request, plan, holdId);
            }
            case CreditVerdict.Insufficient i -> {
                count(m, platformAnswered ? "refused" : "fallback_refused");
                String tail = availableUsd == null ? ""
                        : plan.affordsText(plan.affordableOutput(availableUsd), minOutput);
                throw new AdmissionRefusedException(ErrorCode.INSUFFICIENT_QUOTA, i.message() + tail);
            }
            case CreditVerdict.ServiceUnavailable u -> {
                count(m, "unavailable");
                throw new AdmissionRefusedException(ErrorCode.CREDIT_SERVICE_UNAVAILABLE, u.message());
            }
            case CreditVerdict.UnknownKey u -> {
                count(m, "unknown_key");
                throw new AdmissionRefusedException(ErrorCode.INVALID_API_KEY, u.message());
            }
            case CreditVerdict.TooManyHolds t -> {
                count(m, "too_many_holds");
                throw new RateLimitedException(ErrorCode.RATE_LIMITED_REQUESTS, t.message(),
                        java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
            }
        };
    }

    private HoldResult hold(AdmissionRequest request, String keyId, HoldPlan plan) {
        return client.createHold(keyId, request.requestId(), plan.usd(), properties.holdTtl().toSeconds(),
                request.model());
    }

    /** Credits to USD at the platform's rate, rounded down (what the credit surely covers). */
    private static BigDecimal usd(BigDecimal credits, BigDecimal rate) {
        BigDecimal r = rate == null || rate.signum() <= 0 ? CreditPlatformSettings.DEFAULT_CREDITS_PER_USD : rate;
        return credits.max(BigDecimal.ZERO).divide(r, USD_DIGITS, RoundingMode.DOWN);
    }

    /** The seed's rules on a balance answer ({@link CreditCheck#check}'s logic, keeping the answer for metrics). */
    private CreditVerdict decideBalance(BalanceResult r, String keyId, long quota, LocalQuota local) {
        return switch (r) {
            case BalanceResult.Balance b -> {
                CheckDecision d = CheckDecision.credits(quota, b.credit(), b.creditsPerUsd());
                yield d.allowed() ? new CreditVerdict.Allow(CreditVerdict.Basis.PLATFORM, null)
                        : new CreditVerdict.Insufficient(d);
            }
            case NotFound n -> new CreditVerdict.UnknownKey("key unknown to the credit platform"
                    + (n.message() == null ? "" : ": " + n.message()));
            case Unavailable u -> fallback.decide(keyId, quota, u, local);
        };
    }

    private Admitted admitted(AdmissionRequest request, HoldPlan plan, String holdId) {
        AdmissionRequest.TokenInfo token = request.token();
        String eventId = eventId(request.requestId());
        UsagePayload estimate = new UsagePayload(request.model(), plan.priced().promptTokens(), 0, plan.usd(),
                clock.millis(), true);
        try {
            outbox.recordIntent(eventId, holdId != null ? OutboxKind.CAPTURE : OutboxKind.WEBHOOK, token.tokenId(),
                    token.remoteKeyId(), holdId, estimate);
        } catch (RuntimeException e) {
            log.error("request {}: the usage intent could not be written; refusing (nothing relayed)",
                    request.requestId(), e);
            if (holdId != null) {
                String h = holdId;
                Thread.ofVirtual().name("credit-release-" + h).start(() -> client.release(h));
            }
            throw new AdmissionRefusedException(ErrorCode.CREDIT_SERVICE_UNAVAILABLE,
                    "usage could not be recorded (gateway database unavailable); nothing was charged");
        }
        activeHolds.started(holdId, eventId);
        return new Settlement(plan, request.model(), pricing,
                new OutboxSink(eventId, holdId, request.model(), plan, outbox, clock, activeHolds), overage,
                settleFailures);
    }

    /**
     * A request admitted against this instance's lease: its intent row names the lease (recovery charges its estimate
     * to the lease if this instance dies), and its settlement goes to the lease's next batch.
     */
    private Admitted leased(AdmissionRequest request, HoldPlan plan, Lease lease) {
        AdmissionRequest.TokenInfo token = request.token();
        String eventId = eventId(request.requestId());
        UsagePayload estimate = new UsagePayload(request.model(), plan.priced().promptTokens(), 0, plan.usd(),
                clock.millis(), true);
        try {
            outbox.recordIntent(eventId, OutboxKind.LEASE, token.tokenId(), token.remoteKeyId(), lease.leaseId,
                    estimate);
        } catch (RuntimeException e) {
            lease.finish(eventId, plan.usd(), BigDecimal.ZERO);
            log.error("request {}: the usage intent could not be written; refusing (nothing relayed)",
                    request.requestId(), e);
            throw new AdmissionRefusedException(ErrorCode.CREDIT_SERVICE_UNAVAILABLE,
                    "usage could not be recorded (gateway database unavailable); nothing was charged");
        }
        activeHolds.started(null, eventId);
        return new Settlement(plan, request.model(), pricing,
                new LeaseSink(eventId, lease, request.model(), plan, outbox, clock, activeHolds), overage,
                settleFailures);
    }

    /** The event id of a request: its request id (32 hex chars), shared by capture and webhook at the platform. */
    static String eventId(String requestId) {
        return dev.creditgate.contract.CreditApi.GATEWAY_EVENT_PREFIX + requestId;
    }

    /**
     * The owner's local quota for the {@code local} fallback; a token without a gateway user ({@code user_id 0},
     * the real LetAiCode's tokens) has none, so without a last known balance the fallback answers 503.
     */
    private LocalQuota ownerQuota(long userId) {
        if (userId == 0) {
            return LocalQuota.NONE;
        }
        return keyId -> {
            Long q = jdbc.sql("SELECT quota FROM users WHERE id = :id").param("id", userId)
                    .query(Long.class).optional().orElse(null);
            return q == null ? OptionalLong.empty() : OptionalLong.of(q);
        };
    }

    private void count(String mode, String outcome) {
        decisions.computeIfAbsent(mode + '|' + outcome, k -> Counter.builder("creditgate.credit.decisions")
                .description("credit admission decisions by mode and outcome")
                .tag("mode", mode).tag("outcome", outcome).register(metrics)).increment();
    }
}
