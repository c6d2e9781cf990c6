package dev.creditgate.gateway.usage.outbox;

import java.time.Clock;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.creditgate.gateway.web.ApiResponse;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.PageResult;
import dev.creditgate.gateway.web.Paging;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The usage outbox on the management API (admin token):
 * <ul>
 *   <li>{@code GET /api/usage_event/?status=failed&p=&page_size=}: newest first, new-api's page envelope;
 *       {@code status} one of intent, pending, delivered, failed (absent: all);</li>
 *   <li>{@code POST /api/usage_event/:id/replay}: a FAILED (or PENDING) row is delivered again now with a fresh
 *       attempt budget; 404 unknown id, 409 other states. Safe: delivery is idempotent by event id.</li>
 * </ul>
 */
@RestController
@RequestMapping("/api/usage_event")
public class UsageEventController {

    record EventView(
            long id,
            @JsonProperty("event_id") String eventId,
            String kind,
            String status,
            @JsonProperty("token_id") long tokenId,
            @JsonProperty("remote_key_id") String remoteKeyId,
            @JsonProperty("hold_id") String holdId,
            String model,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost_usd") String costUsd,
            boolean estimate,
            int attempts,
            @JsonProperty("next_attempt_at") long nextAttemptAt,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("created_at") long createdAt,
            @JsonProperty("updated_at") long updatedAt) {

        static EventView of(OutboxEvent e) {
            UsagePayload p = e.payload();
            return new EventView(e.id(), e.eventId(), e.kind().name(), e.status().name().toLowerCase(Locale.ROOT),
                    e.tokenId(), e.remoteKeyId(), e.holdId(), p.model(), p.promptTokens(), p.completionTokens(),
                    p.costUsd().toPlainString(), p.estimate(), e.attempts(), e.nextAttemptAt(), e.lastError(),
                    e.createdAt(), e.updatedAt());
        }
    }

    private final OutboxRepository repository;
    private final UsageOutbox outbox;
    private final Clock clock;

    UsageEventController(OutboxRepository repository, UsageOutbox outbox, Clock clock) {
        this.repository = repository;
        this.outbox = outbox;
        this.clock = clock;
    }

    @GetMapping({"", "/"})
    public ApiResponse list(@RequestParam(name = "status", required = false) String status,
                     @RequestParam(name = "p", required = false) Integer p,
                     @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(p, pageSize);
        OutboxStatus s = parseStatus(status);
        List<EventView> items = repository.list(s, paging.offset(), paging.pageSize()).stream()
                .map(EventView::of).toList();
        return ApiResponse.ok(new PageResult<>(items, repository.count(s), paging.page(), paging.pageSize()));
    }

    @PostMapping("/{id}/replay")
    public ApiResponse replay(@PathVariable("id") long id) {
        OutboxEvent e = repository.find(id);
        if (e == null) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "usage event " + id + " not found");
        }
        if (!repository.replay(id, clock.millis())) {
            throw new GatewayException(ErrorCode.CONFLICT, "usage event " + id + " is "
                    + e.status().name().toLowerCase(Locale.ROOT) + " (expected: failed or pending)");
        }
        outbox.wake();
        return ApiResponse.ok(EventView.of(repository.find(id)));
    }

    private static OutboxStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return OutboxStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("status: \"" + status + "\" (expected: intent, pending, delivered or failed)");
        }
    }
}
