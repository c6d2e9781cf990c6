package dev.creditgate.credits.hold;

import java.math.BigDecimal;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.contract.HoldAnswer;
import dev.creditgate.contract.HoldOutcome;
import dev.creditgate.contract.HoldOutcomeAnswer;
import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.web.RequestBodies;

/**
 * {@code POST /api/credits/holds}, {@code .../:holdId/capture}, {@code .../:holdId/release}, {@code .../:holdId/extend}
 * (scope holds:write).
 */
@RestController
class HoldController {

    private final HoldService holds;
    private final CreditsProperties.Holds props;

    HoldController(HoldService holds, CreditsProperties props) {
        this.holds = holds;
        this.props = props.holds();
    }

    @PostMapping(CreditApi.HOLDS_PATH)
    ResponseEntity<HoldAnswer> hold(@RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String keyId = RequestBodies.text(o, "keyId", 64);
        String requestId = RequestBodies.text(o, "requestId", 128);
        BigDecimal amountUsd = RequestBodies.decimal(o, "amountUsd", BigDecimal.ZERO, props.maxAmountUsd());
        long ttl = RequestBodies.integer(o, "ttlSeconds", 1, props.maxTtl().toSeconds(), props.defaultTtl().toSeconds());
        String model = RequestBodies.optionalText(o, "model", 128);
        HoldService.GrantResult r = holds.grant(keyId, requestId, amountUsd, ttl, model);
        if (r instanceof HoldService.Granted g) {
            Hold h = g.hold();
            HoldAnswer answer = new HoldAnswer(true, h.id(), h.status(), Money.toCredits(h.amount()),
                    Money.toCredits(g.available()), Times.iso(h.expiresAtMs()), null, null, null);
            return ResponseEntity.status(g.replayed() ? HttpStatus.OK : HttpStatus.CREATED).body(answer);
        }
        HoldService.Refused refused = (HoldService.Refused) r;
        return ResponseEntity.status(HttpStatus.PAYMENT_REQUIRED).body(new HoldAnswer(false, null, null, null,
                Money.toCredits(refused.available()), null, CreditApi.CODE_INSUFFICIENT_CREDIT,
                "insufficient credit: available " + Money.toCredits(refused.available()).toPlainString()
                        + ", needed " + Money.toCredits(refused.needed()).toPlainString(),
                Money.toCredits(refused.needed())));
    }

    @PostMapping(CreditApi.HOLDS_PATH + "/{holdId}/capture")
    ResponseEntity<HoldOutcomeAnswer> capture(@PathVariable String holdId, @RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        BigDecimal cost = RequestBodies.decimal(o, "costUsd", BigDecimal.ZERO, props.maxAmountUsd());
        String eventId = RequestBodies.optionalText(o, "eventId", 128);
        String model = null;
        JsonNode usage = o.get("usage");
        if (usage != null && !usage.isNull()) {
            if (!usage.isObject()) {
                throw dev.creditgate.credits.web.ApiError.INVALID_REQUEST.exception("usage: expected an object");
            }
            model = RequestBodies.optionalText(usage, "model", 128);
            for (String f : new String[] {"promptTokens", "completionTokens", "totalTokens"}) {
                RequestBodies.integer(usage, f, 0, Long.MAX_VALUE / 2, 0L);
            }
        }
        return answer(holds.capture(holdId, cost, eventId, model));
    }

    @PostMapping(CreditApi.HOLDS_PATH + "/{holdId}/release")
    ResponseEntity<HoldOutcomeAnswer> release(@PathVariable String holdId) {
        return answer(holds.release(holdId));
    }

    /** {@code {ttlSeconds}} (1 .. credits.holds.max-ttl, required): see {@link HoldService#extend}. */
    @PostMapping(CreditApi.HOLDS_PATH + "/{holdId}/extend")
    ResponseEntity<HoldOutcomeAnswer> extend(@PathVariable String holdId, @RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        long ttl = RequestBodies.integer(o, "ttlSeconds", 1, props.maxTtl().toSeconds(), null);
        return answer(holds.extend(holdId, ttl));
    }

    private static ResponseEntity<HoldOutcomeAnswer> answer(HoldService.OutcomeResult r) {
        Hold h = r.hold();
        String code = r.success() ? null : switch (r.outcome()) {
            case ALREADY_CAPTURED -> "already_captured";
            case RELEASED -> "hold_released";
            case EXPIRED -> "hold_expired";
            default -> "conflict";
        };
        String message = r.success() ? null : message(r.outcome(), h);
        HoldOutcomeAnswer body = new HoldOutcomeAnswer(r.success(), h.id(), r.outcome().name(), code, message,
                Money.toCredits(h.amount()), r.captured() == null ? null : Money.toCredits(r.captured()),
                Money.toCredits(r.available()), Money.toCredits(r.debt()),
                r.outcome() == HoldOutcome.EXTENDED ? Times.iso(h.expiresAtMs()) : null);
        return ResponseEntity.status(r.success() ? HttpStatus.OK : HttpStatus.CONFLICT).body(body);
    }

    private static String message(HoldOutcome outcome, Hold h) {
        return switch (outcome) {
            case ALREADY_CAPTURED -> "hold " + h.id() + " was already captured (eventId " + h.eventId() + ")";
            case RELEASED -> "hold " + h.id() + " was released";
            case EXPIRED -> "hold " + h.id() + " expired";
            default -> outcome.name();
        };
    }
}
