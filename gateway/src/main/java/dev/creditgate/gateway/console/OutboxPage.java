package dev.creditgate.gateway.console;

import java.util.List;

import dev.creditgate.gateway.usage.outbox.UsageEventController;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The usage outbox (events for the credit platform): by status, with a replay button for failed ones. */
@Controller
class OutboxPage {

    static final List<String> STATUSES = List.of("failed", "pending", "intent", "delivered", "");

    private final UsageEventController events;

    OutboxPage(UsageEventController events) {
        this.events = events;
    }

    @GetMapping("/console/outbox")
    String list(@RequestParam(name = "status", defaultValue = "failed") String status,
                @RequestParam(name = "p", defaultValue = "1") int p, Model model) {
        model.addAttribute("status", status);
        model.addAttribute("statuses", STATUSES);
        model.addAttribute("events", Api.page(events.list(status, p, 50)));
        return "console/outbox";
    }

    @PostMapping("/console/outbox/{id}/replay")
    String replay(@PathVariable long id, @RequestParam(name = "status", defaultValue = "failed") String status) {
        events.replay(id);
        return "redirect:/console/outbox?status=" + (STATUSES.contains(status) ? status : "failed");
    }
}
