package dev.creditgate.credits.console;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import dev.creditgate.credits.apikey.ApiKeyService;
import dev.creditgate.credits.user.UserService;

/**
 * {@code /console/me}: a key holder's own balance, held credit, keys (masked) and usage per day. Everything is read
 * for the session's user id, never for an id from the request, so no other user's data can be asked for.
 */
@Controller
class HolderController {

    static final int CHART_DAYS = 14;

    private final UserService users;
    private final ApiKeyService keys;
    private final ConsoleReads reads;

    HolderController(UserService users, ApiKeyService keys, ConsoleReads reads) {
        this.users = users;
        this.keys = keys;
        this.reads = reads;
    }

    @GetMapping("/console/me")
    String me(HttpServletRequest request, Model model) {
        Principal.Holder holder = (Principal.Holder) ConsoleAccess.session(request).principal();
        model.addAttribute("user", users.view(holder.userId()));
        model.addAttribute("keys", keys.list(holder.userId()));
        model.addAttribute("currentKeyId", holder.keyId());
        model.addAttribute("chart", reads.usage(holder.userId(), CHART_DAYS));
        model.addAttribute("days", CHART_DAYS);
        return "console/me";
    }
}
