package dev.creditgate.gateway.console;

import dev.creditgate.gateway.token.TokenController;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Tokens: the list (keys masked, as the API lists them), create (the full key is on the answer page only, once),
 * enable/disable, delete; all through {@link TokenController}.
 */
@Controller
@RequestMapping("/console/tokens")
class TokensPage {

    static final int PAGE_SIZE = 20;

    private final TokenController tokens;

    TokensPage(TokenController tokens) {
        this.tokens = tokens;
    }

    @GetMapping
    String list(@RequestParam(name = "p", defaultValue = "1") int p, Model model) {
        model.addAttribute("tokens", Api.page(tokens.list(p, PAGE_SIZE, null, null, null)));
        return "console/tokens";
    }

    @PostMapping
    String create(@RequestParam(name = "name", required = false) String name,
                  @RequestParam(name = "remain_quota", required = false) String remainQuota,
                  @RequestParam(name = "unlimited_quota", defaultValue = "false") boolean unlimited,
                  @RequestParam(name = "model_limits", required = false) String modelLimits,
                  Model model) {
        boolean limited = modelLimits != null && !modelLimits.isBlank();
        var created = tokens.create(Api.body("name", name, "remain_quota", remainQuota, "unlimited_quota", unlimited,
                "model_limits_enabled", limited, "model_limits", modelLimits));
        model.addAttribute("created", Api.object(created.data()));
        return list(1, model);
    }

    @PostMapping("/{id}/status")
    String status(@PathVariable long id, @RequestParam("status") int status) {
        tokens.update(Api.body("id", id, "status", status), "true");
        return "redirect:/console/tokens";
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable long id) {
        tokens.delete(id);
        return "redirect:/console/tokens";
    }
}
