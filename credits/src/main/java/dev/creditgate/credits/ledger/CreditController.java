package dev.creditgate.credits.ledger;

import java.math.BigDecimal;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.credits.web.Envelope;
import dev.creditgate.credits.web.RequestBodies;

/**
 * {@code POST /api/users/:id/credits {amount, type, desc, ref}} and {@code GET /api/users/:id/transactions}: the
 * JSON side of {@link CreditService} (which holds the rules, shared with the console). A replayed ref answers 200
 * with the first entry, a new entry 201.
 */
@RestController
class CreditController {

    private final CreditService credits;

    CreditController(CreditService credits) {
        this.credits = credits;
    }

    @PostMapping("/api/users/{id}/credits")
    ResponseEntity<Envelope<CreditService.EntryView>> credit(@PathVariable String id, @RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String type = RequestBodies.text(o, "type", 16);
        if (!CreditService.ADMIN_TYPES.contains(type)) {
            throw dev.creditgate.credits.web.ApiError.INVALID_REQUEST.exception("type: \"" + type + "\" (expected one of "
                    + CreditService.ADMIN_TYPES + ")");
        }
        BigDecimal amount = RequestBodies.decimal(o, "amount", Money.MAX_CREDITS.negate(), Money.MAX_CREDITS);
        String desc = RequestBodies.optionalText(o, "desc", 500);
        String ref = RequestBodies.optionalText(o, "ref", 128);
        CreditService.Credited c = credits.credit(id, type, amount, desc, ref);
        return c.replayed()
                ? ResponseEntity.ok(Envelope.ok("replayed: this ref was applied before", c.entry()))
                : ResponseEntity.status(HttpStatus.CREATED).body(Envelope.ok(c.entry()));
    }

    @GetMapping("/api/users/{id}/transactions")
    Envelope<CreditService.Page<CreditService.EntryView>> transactions(@PathVariable String id,
            @RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int pageSize) {
        return Envelope.ok(credits.transactions(id, page, pageSize));
    }
}
