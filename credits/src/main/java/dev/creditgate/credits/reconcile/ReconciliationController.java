package dev.creditgate.credits.reconcile;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.Envelope;

/** {@code GET /api/reconciliation?from=<unix s>&to=<unix s>} (admin): see {@link Reconciliation}. */
@RestController
class ReconciliationController {

    private final Reconciliation reconciliation;

    ReconciliationController(Reconciliation reconciliation) {
        this.reconciliation = reconciliation;
    }

    @GetMapping("/api/reconciliation")
    Envelope<Reconciliation.Report> reconcile(@RequestParam(required = false) String from,
                                              @RequestParam(required = false) String to) {
        return Envelope.ok(reconciliation.reconcile(seconds("from", from), seconds("to", to)));
    }

    private static long seconds(String name, String value) {
        if (value == null || value.isBlank()) {
            throw ApiError.INVALID_REQUEST.exception(name + ": missing (expected: unix seconds)");
        }
        try {
            long s = Long.parseLong(value.strip());
            if (s >= 0 && s <= 253_402_300_799L) { // up to 9999-12-31
                return s;
            }
        } catch (NumberFormatException e) {
            // below
        }
        String shown = value.length() <= 40 ? value : value.substring(0, 40) + "...";
        throw ApiError.INVALID_REQUEST.exception(name + ": \"" + shown + "\" (expected: unix seconds, 0 .. 253402300799)");
    }
}
