package dev.creditgate.credits.lease;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.contract.LeaseAnswer;
import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.hold.Times;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.option.OptionService;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.ApiException;
import dev.creditgate.credits.web.RequestBodies;

/**
 * {@code POST /api/credits/leases} (open), {@code .../:leaseId/refresh}, {@code .../:leaseId/settle},
 * {@code .../:leaseId/release} (scope holds:write). Bodies: {@link dev.creditgate.contract.LeaseRequest},
 * {@link dev.creditgate.contract.LeaseSettleRequest}; answers {@link LeaseAnswer}. Bad input: 400 naming the field,
 * nothing changes.
 */
@RestController
class LeaseController {

    /** The gateway instance's name. */
    static final Pattern OWNER = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    static final int MAX_EVENTS = dev.creditgate.contract.CreditApi.MAX_SETTLE_EVENTS;
    static final int MAX_KEY_IDS = 1000;

    private final LeaseService leases;
    private final OptionService options;
    private final BigDecimal maxUsd;
    private final CreditsProperties.Leases props;

    LeaseController(LeaseService leases, OptionService options, CreditsProperties props) {
        this.leases = leases;
        this.options = options;
        this.maxUsd = props.holds().maxAmountUsd();
        this.props = props.leases();
    }

    /** The sizing fields shared by open and refresh. */
    private record Sizing(BigDecimal amountUsd, BigDecimal minUsd, BigDecimal inUseUsd, long ttlSeconds) {
    }

    private Sizing sizing(JsonNode o) {
        BigDecimal amountUsd = RequestBodies.decimal(o, "amountUsd", BigDecimal.ZERO, maxUsd);
        BigDecimal minUsd = RequestBodies.optionalDecimal(o, "minUsd", BigDecimal.ZERO, amountUsd, BigDecimal.ZERO);
        BigDecimal inUseUsd = RequestBodies.optionalDecimal(o, "inUseUsd", BigDecimal.ZERO, maxUsd, BigDecimal.ZERO);
        long ttl = RequestBodies.integer(o, "ttlSeconds", 1, props.maxTtl().toSeconds(), props.defaultTtl().toSeconds());
        return new Sizing(amountUsd, minUsd, inUseUsd, ttl);
    }

    @PostMapping(CreditApi.LEASES_PATH)
    ResponseEntity<LeaseAnswer> open(@RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String keyId = RequestBodies.text(o, "keyId", 64);
        String owner = RequestBodies.text(o, "owner", 64);
        if (!OWNER.matcher(owner).matches()) {
            throw ApiError.INVALID_REQUEST.exception("owner: expected 1..64 characters of [A-Za-z0-9._:-]");
        }
        Sizing s = sizing(o);
        LeaseService.OpenResult r = leases.open(keyId, owner, s.amountUsd(), s.minUsd(), s.ttlSeconds());
        if (r instanceof LeaseService.Opened opened) {
            return ResponseEntity.status(opened.created() ? HttpStatus.CREATED : HttpStatus.OK)
                    .body(answer(opened.lease(), opened.available(), opened.recalled(), null, null));
        }
        LeaseService.Refused refused = (LeaseService.Refused) r;
        BigDecimal available = Money.toCredits(refused.available());
        BigDecimal needed = Money.toCredits(refused.needed());
        String why = refused.recalled() ? " (the user's credit is being recalled from leases: an admin is lowering it, or a"
                + " hold was refused while leases held it)" : "";
        return ResponseEntity.status(HttpStatus.PAYMENT_REQUIRED).body(new LeaseAnswer(false, null, null, null, null,
                null, available, null, null, null, null, null, CreditApi.CODE_INSUFFICIENT_CREDIT,
                "insufficient credit for a lease: available " + available.toPlainString() + ", needed "
                        + needed.toPlainString() + " (a lease takes at most half of the available credit)" + why,
                needed));
    }

    @PostMapping(CreditApi.LEASES_PATH + "/{leaseId}/refresh")
    ResponseEntity<LeaseAnswer> refresh(@PathVariable String leaseId, @RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        Sizing s = sizing(o);
        List<String> keyIds = new ArrayList<>();
        List<JsonNode> given = RequestBodies.array(o, "keyIds", 0, MAX_KEY_IDS);
        for (int i = 0; i < given.size(); i++) {
            JsonNode k = given.get(i);
            if (!k.isString() || k.stringValue().isBlank() || k.stringValue().length() > 64) {
                throw ApiError.INVALID_REQUEST.exception("keyIds[" + i + "]: expected a string of 1..64 characters");
            }
            keyIds.add(k.stringValue());
        }
        LeaseService.Refreshed r = leases.refresh(leaseId, s.amountUsd(), s.minUsd(), s.inUseUsd(), s.ttlSeconds(), keyIds);
        if (!r.active()) {
            return notActive(r.lease());
        }
        return ResponseEntity.ok(answer(r.lease(), r.available(), r.recalled(), r.disabledKeys(), null));
    }

    @PostMapping(CreditApi.LEASES_PATH + "/{leaseId}/settle")
    ResponseEntity<LeaseAnswer> settle(@PathVariable String leaseId, @RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        List<JsonNode> given = RequestBodies.array(o, "events", 1, MAX_EVENTS);
        List<LeaseService.Event> events = new ArrayList<>(given.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            LeaseService.Event e = event(given.get(i), i);
            if (!ids.add(e.eventId())) {
                throw ApiError.INVALID_REQUEST.exception("events[" + i + "].eventId: \"" + e.eventId()
                        + "\" appears twice in the batch");
            }
            events.add(e);
        }
        LeaseService.Settled r = leases.settle(leaseId, events);
        List<LeaseAnswer.EventResult> results = r.charges().stream().map(c -> new LeaseAnswer.EventResult(c.eventId(),
                c.charged() ? "CHARGED" : "DUPLICATE_EVENT", Money.toCredits(c.amount()))).toList();
        return ResponseEntity.ok(answer(r.lease(), r.available(), null, null, results));
    }

    private LeaseService.Event event(JsonNode e, int i) {
        try {
            if (!e.isObject()) {
                throw ApiError.INVALID_REQUEST.exception("expected an object");
            }
            String eventId = RequestBodies.text(e, "eventId", 128);
            String keyId = RequestBodies.text(e, "keyId", 64);
            BigDecimal cost = RequestBodies.decimal(e, "costUsd", BigDecimal.ZERO, maxUsd);
            String model = RequestBodies.optionalText(e, "model", 128);
            for (String f : new String[] {"promptTokens", "completionTokens", "totalTokens", "cacheReadTokens",
                    "cacheWriteTokens"}) {
                RequestBodies.integer(e, f, 0, Long.MAX_VALUE / 2, 0L);
            }
            return new LeaseService.Event(eventId, keyId, cost, model);
        } catch (ApiException bad) {
            throw bad.error().exception("events[" + i + "]" + (bad.getMessage().startsWith("expected") ? ": " : ".")
                    + bad.getMessage());
        }
    }

    @PostMapping(CreditApi.LEASES_PATH + "/{leaseId}/release")
    ResponseEntity<LeaseAnswer> release(@PathVariable String leaseId) {
        LeaseService.Released r = leases.release(leaseId);
        return ResponseEntity.ok(answer(r.lease(), r.available(), null, null, null));
    }

    private LeaseAnswer answer(Lease l, long available, Boolean recalled, List<String> disabledKeys,
                               List<LeaseAnswer.EventResult> results) {
        return new LeaseAnswer(true, l.id(), l.userId(), l.status(), Money.toCredits(l.amount()),
                Money.toCredits(l.spent()), Money.toCredits(available), Money.plain(options.creditsPerUsd()),
                Times.iso(l.expiresAtMs()), recalled, disabledKeys, results, null, null, null);
    }

    private static ResponseEntity<LeaseAnswer> notActive(Lease l) {
        String message = "lease " + l.id() + (Lease.RELEASED.equals(l.status()) ? " was released" : " expired");
        return ResponseEntity.status(HttpStatus.CONFLICT).body(new LeaseAnswer(false, l.id(), l.userId(), l.status(),
                Money.toCredits(l.amount()), Money.toCredits(l.spent()), null, null, null, null, null, null,
                LeaseService.code(l), message, null));
    }
}
