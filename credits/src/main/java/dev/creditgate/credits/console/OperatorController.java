package dev.creditgate.credits.console;

import java.math.BigDecimal;
import java.util.List;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.creditgate.credits.apikey.ApiKeyService;
import dev.creditgate.credits.ledger.CreditService;
import dev.creditgate.credits.user.UserService;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.ApiException;

/**
 * The operator's pages: users (list, search, create), a user (balance, top-up / adjustment, keys, ledger, holds,
 * leases), all holds and leases, the webhook log. Every change goes through the service the admin API uses
 * ({@link UserService}, {@link CreditService}, {@link ApiKeyService}); a refusal is shown on the page with the
 * API's status and message, and changes nothing.
 */
@Controller
class OperatorController {

    static final int LEDGER_PAGE = 20;

    private final UserService users;
    private final CreditService credits;
    private final ApiKeyService keys;
    private final ConsoleReads reads;

    OperatorController(UserService users, CreditService credits, ApiKeyService keys, ConsoleReads reads) {
        this.users = users;
        this.credits = credits;
        this.keys = keys;
        this.reads = reads;
    }

    @GetMapping({"/console", "/console/"})
    String users(@RequestParam(required = false) String q, @RequestParam(defaultValue = "1") int page, Model model) {
        model.addAttribute("q", q == null ? "" : q);
        model.addAttribute("page", page);
        List<UserService.UserView> found = users.search(q, page, 50);
        model.addAttribute("users", found);
        model.addAttribute("more", found.size() == 50);
        return "console/users";
    }

    @PostMapping("/console/users")
    String createUser(@RequestParam(required = false) String email, @RequestParam(required = false) String name,
                      Model model, HttpServletResponse response) {
        try {
            UserService.UserView u = users.create(email, name);
            return "redirect:/console/users/" + u.id() + "?done=created";
        } catch (ApiException e) {
            response.setStatus(e.error().status().value());
            model.addAttribute("error", e.getMessage());
            model.addAttribute("email", email);
            model.addAttribute("name", name);
            return users(null, 1, model);
        }
    }

    @GetMapping("/console/users/{id}")
    String user(@PathVariable String id, @RequestParam(defaultValue = "1") int page,
                @RequestParam(required = false) String done, Model model) {
        model.addAttribute("done", Done.message(done));
        return userPage(id, page, model);
    }

    @PostMapping("/console/users/{id}/credits")
    String credit(@PathVariable String id, @RequestParam(required = false) String type,
                  @RequestParam(required = false) String amount, @RequestParam(required = false) String reason,
                  @RequestParam(required = false) String ref, Model model, HttpServletResponse response) {
        try {
            if (reason == null || reason.isBlank()) {
                throw ApiError.INVALID_REQUEST.exception("reason: required (it is the ledger entry's description)");
            }
            CreditService.Credited c = credits.credit(id, type, amount(amount), reason.trim(),
                    ref == null || ref.isBlank() ? null : ref.trim());
            return "redirect:/console/users/" + id + "?done=" + (c.replayed() ? "replayed" : "credited");
        } catch (ApiException e) {
            return failed(e, id, model, response);
        }
    }

    @PostMapping("/console/users/{id}/keys")
    String createKey(@PathVariable String id, @RequestParam(required = false) String label, Model model,
                     HttpServletResponse response) {
        try {
            if (label == null || label.isBlank() || label.length() > 100) {
                throw ApiError.INVALID_REQUEST.exception("label: expected 1..100 characters");
            }
            ApiKeyService.Created created = keys.create(id, label.trim());
            // shown on this answer only (no redirect, nothing kept): a reload does not show it again
            model.addAttribute("createdKey", created.fullKey());
            model.addAttribute("createdKeyId", created.row().id());
            response.setStatus(201);
            return userPage(id, 1, model);
        } catch (ApiException e) {
            return failed(e, id, model, response);
        }
    }

    @PostMapping("/console/keys/{keyId}/status")
    String keyStatus(@PathVariable String keyId, @RequestParam(required = false) String status, Model model,
                     HttpServletResponse response) {
        String userId = keys.find(keyId).map(ApiKeyService.KeyRow::userId)
                .orElseThrow(() -> ApiError.NOT_FOUND.exception("API key not found: " + keyId));
        try {
            boolean enable = switch (status == null ? "" : status) {
                case "ACTIVE" -> true;
                case "DISABLED" -> false;
                default -> throw ApiError.INVALID_REQUEST.exception("status: expected ACTIVE or DISABLED");
            };
            keys.setStatus(keyId, enable);
            return "redirect:/console/users/" + userId + "?done=" + (enable ? "enabled" : "disabled");
        } catch (ApiException e) {
            return failed(e, userId, model, response);
        }
    }

    @GetMapping("/console/holds")
    String holds(Model model) {
        model.addAttribute("holds", reads.holds(null));
        model.addAttribute("leases", reads.leases(null));
        model.addAttribute("limit", ConsoleReads.MAX_ROWS);
        return "console/holds";
    }

    @GetMapping("/console/webhooks")
    String webhooks(Model model) {
        model.addAttribute("deliveries", reads.webhooks());
        model.addAttribute("limit", ConsoleReads.MAX_ROWS);
        return "console/webhooks";
    }

    private String userPage(String id, int page, Model model) {
        model.addAttribute("user", users.view(id));
        CreditService.Page<CreditService.EntryView> ledger = credits.transactions(id, page, LEDGER_PAGE);
        model.addAttribute("ledger", ledger);
        model.addAttribute("pages", Math.max(1, (ledger.total() + LEDGER_PAGE - 1) / LEDGER_PAGE));
        model.addAttribute("keys", keys.list(id));
        model.addAttribute("holds", reads.holds(id));
        model.addAttribute("leases", reads.leases(id));
        model.addAttribute("types", CreditService.ADMIN_TYPES);
        return "console/user";
    }

    private String failed(ApiException e, String userId, Model model, HttpServletResponse response) {
        response.setStatus(e.error().status().value());
        model.addAttribute("error", e.getMessage());
        return userPage(userId, 1, model);
    }

    private static BigDecimal amount(String s) {
        if (s == null || s.isBlank()) {
            throw ApiError.INVALID_REQUEST.exception("amount: missing (expected a decimal number of credits)");
        }
        String t = s.trim();
        if (t.length() > 40 || !t.matches("[+-]?[0-9]+(\\.[0-9]+)?")) {
            throw ApiError.INVALID_REQUEST.exception("amount: expected a decimal number like 12.5 or -3");
        }
        return new BigDecimal(t);
    }

    /** The confirmations a redirect may name (fixed texts: nothing from the URL is shown). */
    enum Done {
        created("User created."), credited("Credit posted."), replayed("This ref was applied before: nothing new posted."),
        enabled("Key enabled."), disabled("Key disabled.");

        final String text;

        Done(String text) {
            this.text = text;
        }

        static String message(String name) {
            for (Done d : values()) {
                if (d.name().equals(name)) {
                    return d.text;
                }
            }
            return null;
        }
    }
}
