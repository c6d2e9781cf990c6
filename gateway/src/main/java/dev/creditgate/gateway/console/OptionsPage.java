package dev.creditgate.gateway.console;

import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.option.OptionController;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Options: the stored ones (secrets masked by the API and never filled back into a form) with an edit field each,
 * and a field for a new key; a refused value is shown next to its field (the API's validation message).
 */
@Controller
@RequestMapping("/console/options")
class OptionsPage {

    private final OptionController options;

    OptionsPage(OptionController options) {
        this.options = options;
    }

    @GetMapping
    String list(Model model) {
        List<Map<String, Object>> all = Api.list(options.list());
        model.addAttribute("options", all);
        return "console/options";
    }

    @PostMapping
    String put(@RequestParam("key") String key, @RequestParam(name = "value", defaultValue = "") String value,
               Model model, HttpServletResponse response) {
        if (OptionController.isSecret(key) && value.isEmpty()) {
            return "redirect:/console/options"; // a secret's field is never filled in: blank keeps the stored value
        }
        try {
            options.put(Api.body("key", key, "value", value).put("value", value));
        } catch (GatewayException e) {
            response.setStatus(e.error().status());
            model.addAttribute("errorKey", key);
            model.addAttribute("errorValue", OptionController.isSecret(key) ? "" : value);
            model.addAttribute("error", e.getMessage());
            return list(model);
        }
        return "redirect:/console/options?saved=" + java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8);
    }
}
