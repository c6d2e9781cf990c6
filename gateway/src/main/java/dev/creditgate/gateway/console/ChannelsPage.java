package dev.creditgate.gateway.console;

import java.util.Map;

import dev.creditgate.gateway.channel.ChannelController;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Channels: list, create, edit (the upstream key is write-only: blank keeps it), delete, and the test button
 * (one small request through the channel); all through {@link ChannelController}.
 */
@Controller
@RequestMapping("/console/channels")
class ChannelsPage {

    private final ChannelController channels;

    ChannelsPage(ChannelController channels) {
        this.channels = channels;
    }

    @GetMapping
    String list(@RequestParam(name = "p", defaultValue = "1") int p, Model model) {
        model.addAttribute("channels", Api.page(channels.list(p, 50)));
        return "console/channels";
    }

    @GetMapping("/{id}")
    String edit(@PathVariable long id, Model model) {
        model.addAttribute("channel", Api.object(channels.get(id).data()));
        return "console/channel";
    }

    @PostMapping
    String create(@RequestParam Map<String, String> form) {
        channels.create(body(form, null));
        return "redirect:/console/channels";
    }

    @PostMapping("/{id}")
    String update(@PathVariable long id, @RequestParam Map<String, String> form) {
        channels.update(body(form, id));
        return "redirect:/console/channels";
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable long id) {
        channels.delete(id);
        return "redirect:/console/channels";
    }

    @PostMapping("/{id}/test")
    String test(@PathVariable long id, Model model) {
        model.addAttribute("test", channels.test(id, null));
        model.addAttribute("testedId", id);
        return list(1, model);
    }

    private static tools.jackson.databind.node.ObjectNode body(Map<String, String> form, Long id) {
        return Api.body("id", id, "name", form.get("name"), "type", form.get("type"), "base_url", form.get("base_url"),
                "key", form.get("key"), "models", form.get("models"), "model_mapping", form.get("model_mapping"),
                "priority", form.get("priority"), "weight", form.get("weight"),
                "status", "on".equals(form.get("enabled")) ? 1 : 2);
    }
}
