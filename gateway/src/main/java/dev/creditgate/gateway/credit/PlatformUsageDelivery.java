package dev.creditgate.gateway.credit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.contract.HoldOutcome;
import dev.creditgate.contract.UsageEvent;
import dev.creditgate.contract.UsageEventJson;
import dev.creditgate.contract.WebhookSignature;
import dev.creditgate.gateway.usage.outbox.OutboxEvent;
import dev.creditgate.gateway.usage.outbox.OutboxKind;
import dev.creditgate.gateway.usage.outbox.UsageDelivery;
import dev.creditgate.gateway.usage.outbox.UsagePayload;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.springframework.stereotype.Component;

/**
 * Delivers outbox events to the credit platform, idempotently by event id:
 * <ul>
 *   <li>CAPTURE: {@code POST /api/credits/holds/:holdId/capture {costUsd, eventId, usage}}. 200 (CAPTURED,
 *       CAPTURED_AFTER_EXPIRY, DUPLICATE_EVENT) and 409 ALREADY_CAPTURED are done; 409 RELEASED is done (the hold was
 *       released by this gateway: nothing is owed); a hold the platform will not capture any more (409 EXPIRED when
 *       late captures are off, 404) becomes a WEBHOOK with the same event id, so the usage is still charged once;</li>
 *   <li>RELEASE: 200, 404 and 409 are done (nothing is held any more);</li>
 *   <li>WEBHOOK: the SPEC 4.2 body ({@link UsageEventJson}) signed v1 and v2 with {@code letaicode_webhook_secret},
 *       posted to {@code letaicode_webhook_url}; 2xx without {@code success:false} is done.</li>
 * </ul>
 * A platform that is unavailable means "retry later"; an attempt short-circuited by the open breaker does not use
 * up the event's attempt budget.
 */
@Component
class PlatformUsageDelivery implements UsageDelivery {

    private final CreditPlatformClient client;
    private final CreditLeases leases;
    private final CreditOptions options;
    private final Clock clock;

    PlatformUsageDelivery(CreditPlatformClient client, CreditOptions options, Clock clock, CreditLeases leases) {
        this.client = client;
        this.leases = leases;
        this.options = options;
        this.clock = clock;
    }

    @Override
    public Result deliver(OutboxEvent e) {
        return switch (e.kind()) {
            case CAPTURE -> capture(e);
            case RELEASE -> release(e);
            case WEBHOOK -> webhook(e);
            case LEASE -> deliverAll(List.of(e)).getFirst();
        };
    }

    /**
     * LEASE rows: one settle call per lease for all its rows ({@link CreditLeases#settle}); each event is then
     * done, whether charged now or before (DUPLICATE_EVENT). Other kinds one by one.
     */
    @Override
    public List<Result> deliverAll(List<OutboxEvent> events) {
        Result[] out = new Result[events.size()];
        Map<String, List<Integer>> byLease = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            OutboxEvent e = events.get(i);
            if (e.kind() == OutboxKind.LEASE) {
                byLease.computeIfAbsent(e.holdId(), k -> new ArrayList<>()).add(i);
            } else {
                out[i] = deliver(e);
            }
        }
        byLease.forEach((leaseId, idx) -> {
            for (int from = 0; from < idx.size(); from += CreditApi.MAX_SETTLE_EVENTS) { // the platform's limit
                List<Integer> part = idx.subList(from, Math.min(idx.size(), from + CreditApi.MAX_SETTLE_EVENTS));
                Result r = settleLease(leaseId, part.stream().map(events::get).toList());
                part.forEach(i -> out[i] = r);
            }
        });
        return List.of(out);
    }

    private Result settleLease(String leaseId, List<OutboxEvent> rows) {
        boolean breakerOpen = client.breakerState() == CircuitBreaker.State.OPEN;
        List<CreditPlatformClient.LeaseCharge> charges = rows.stream().map(e -> {
            UsagePayload p = e.payload();
            return new CreditPlatformClient.LeaseCharge(e.eventId(), e.remoteKeyId(), p.costUsd(),
                    new Usage(p.model(), p.promptTokens(), p.completionTokens(), p.totalTokens()),
                    p.cacheReadTokens(), p.cacheWriteTokens());
        }).toList();
        return switch (leases.settle(leaseId, charges)) {
            case LeaseResult.Leased l -> new Delivered("lease " + leaseId + ": settled");
            case Unavailable u -> new Retry("lease settle: " + u.reason(), !breakerOpen, client.breakerNextProbeMillis());
            case LeaseResult.Rejected rej -> new Rejected("lease settle refused: HTTP " + rej.status() + " "
                    + rej.code() + " " + (rej.message() == null ? "" : rej.message()));
            case NotFound n -> new Rejected("lease settle refused: lease " + leaseId + " unknown to the platform");
            case LeaseResult.Gone g -> new Rejected("lease settle refused: lease " + leaseId + " " + g.status());
            case LeaseResult.Refused f -> new Rejected("lease settle refused: insufficient credit");
        };
    }

    private Result capture(OutboxEvent e) {
        UsagePayload p = e.payload();
        boolean breakerOpen = client.breakerState() == CircuitBreaker.State.OPEN;
        SettleResult r = client.capture(e.holdId(), p.costUsd(), e.eventId(),
                new Usage(p.model(), p.promptTokens(), p.completionTokens(), p.totalTokens()));
        return switch (r) {
            case SettleResult.Settled s -> new Delivered("capture: " + s.outcome());
            case SettleResult.Rejected rej -> {
                String outcome = rej.outcome() == null ? "" : rej.outcome();
                if (outcome.equals(HoldOutcome.ALREADY_CAPTURED.name())) {
                    yield new Delivered("capture: hold already captured");
                }
                if (outcome.equals(HoldOutcome.RELEASED.name())) {
                    yield new Delivered("capture: hold was released; nothing charged");
                }
                if (outcome.equals(HoldOutcome.EXPIRED.name()) || rej.status() == 404) {
                    yield new Convert(OutboxKind.WEBHOOK, "capture refused (HTTP " + rej.status() + " " + outcome
                            + "): charging by usage webhook with the same event id");
                }
                yield new Rejected("capture refused: HTTP " + rej.status() + " " + outcome + " "
                        + (rej.message() == null ? "" : rej.message()));
            }
            case Unavailable u -> new Retry("capture: " + u.reason(), !breakerOpen, client.breakerNextProbeMillis());
        };
    }

    private Result release(OutboxEvent e) {
        boolean breakerOpen = client.breakerState() == CircuitBreaker.State.OPEN;
        return switch (client.release(e.holdId())) {
            case SettleResult.Settled s -> new Delivered("release: " + s.outcome());
            case SettleResult.Rejected rej -> new Delivered("release: HTTP " + rej.status() + " " + rej.outcome()
                    + " (nothing held any more)");
            case Unavailable u -> new Retry("release: " + u.reason(), !breakerOpen, client.breakerNextProbeMillis());
        };
    }

    private Result webhook(OutboxEvent e) {
        String secret = options.webhookSecret();
        if (secret.isEmpty()) {
            return new Retry("webhook: letaicode_webhook_secret is not set", true);
        }
        String url = options.webhookUrl();
        if (url.isEmpty()) {
            return new Retry("webhook: neither letaicode_webhook_url nor letaicode_domain is set", true);
        }
        byte[] body = body(e);
        long t = clock.millis() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret, body));
        headers.put(WebhookSignature.HEADER_TIMESTAMP, Long.toString(t));
        headers.put(WebhookSignature.HEADER_V2, WebhookSignature.v2Header(secret, t, body));
        return switch (client.postWebhook(url, body, headers)) {
            case WebhookResult.Delivered d -> new Delivered("webhook: HTTP " + d.status());
            case WebhookResult.Failed f -> new Retry("webhook: " + f.reason(), true);
        };
    }

    /** The SPEC 4.2 body of an event (stable across retries: the timestamp is the usage's). */
    static byte[] body(OutboxEvent e) {
        UsagePayload p = e.payload();
        return UsageEventJson.writeBytes(UsageEvent.usage(e.eventId(), p.timestampMs(),
                new UsageEvent.Data(e.tokenId(), e.remoteKeyId(), p.model(), p.promptTokens(), p.completionTokens(),
                        p.totalTokens(), p.costUsd(), p.cacheReadTokens(), p.cacheWriteTokens())));
    }
}
