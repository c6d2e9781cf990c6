package dev.creditgate.gateway.usage;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.creditgate.gateway.web.ApiResponse;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.PageResult;
import dev.creditgate.gateway.web.Paging;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/log/?token_id=&type=&start_timestamp=&end_timestamp=&request_id=&p=&page_size=}, newest first.
 * Timestamps are unix seconds, both bounds inclusive. {@code use_time} is in whole seconds (new-api's unit,
 * truncated); {@code use_time_ms} carries the exact milliseconds. {@code channel} is the channel id (0: none).
 */
@RestController
@RequestMapping("/api/log")
public class LogController {

    record LogView(
            long id,
            @JsonProperty("created_at") long createdAt,
            int type,
            @JsonProperty("user_id") long userId,
            @JsonProperty("token_id") long tokenId,
            @JsonProperty("token_name") String tokenName,
            @JsonProperty("model_name") String modelName,
            @JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("completion_tokens") int completionTokens,
            long quota,
            @JsonProperty("request_id") String requestId,
            @JsonProperty("is_stream") boolean stream,
            @JsonProperty("use_time") int useTime,
            @JsonProperty("use_time_ms") int useTimeMs,
            long channel,
            String content,
            @JsonProperty("cost_usd") String costUsd,
            String other) {

        static LogView of(LogRepository.Row r) {
            LogEntry e = r.entry();
            return new LogView(r.id(), e.createdAt(), e.type(), e.userId(), e.tokenId(), e.tokenName(), e.modelName(),
                    e.promptTokens(), e.completionTokens(), e.quota(), e.requestId(), e.stream(), e.useTimeMs() / 1000,
                    e.useTimeMs(), e.channelId(), e.content(), plain(e.costUsd()), e.other());
        }
    }

    /** A cost row: {@code request_id}, {@code token_id}, {@code cost_usd} (exact decimal string), {@code created_at}. */
    record CostView(@JsonProperty("request_id") String requestId, @JsonProperty("token_id") long tokenId,
                    @JsonProperty("cost_usd") String costUsd, @JsonProperty("created_at") long createdAt) {}

    static String plain(java.math.BigDecimal d) {
        if (d == null || d.signum() == 0) {
            return "0";
        }
        return d.stripTrailingZeros().toPlainString();
    }

    private final LogRepository logs;

    LogController(LogRepository logs) {
        this.logs = logs;
    }

    @GetMapping({"", "/"})
    public ApiResponse list(@RequestParam(name = "token_id", required = false) Long tokenId,
                     @RequestParam(name = "type", required = false) Integer type,
                     @RequestParam(name = "start_timestamp", required = false) Long start,
                     @RequestParam(name = "end_timestamp", required = false) Long end,
                     @RequestParam(name = "request_id", required = false) String requestId,
                     @RequestParam(name = "model_name", required = false) String model,
                     @RequestParam(name = "p", required = false) Integer p,
                     @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(p, pageSize);
        var q = new LogRepository.Query(tokenId, type, start, end, requestId, model);
        List<LogView> items = logs.find(q, paging.offset(), paging.pageSize()).stream().map(LogView::of).toList();
        return ApiResponse.ok(new PageResult<>(items, logs.count(q), paging.page(), paging.pageSize()));
    }

    /** One UTC day and model of {@link #usage}. */
    record UsageView(long day, @JsonProperty("model_name") String model, long requests, long quota,
                     @JsonProperty("cost_usd") String costUsd, @JsonProperty("prompt_tokens") long promptTokens,
                     @JsonProperty("completion_tokens") long completionTokens) {}

    /**
     * {@code GET /api/log/usage?start_timestamp=&end_timestamp=&token_id=}: consumption summed per UTC day
     * ({@code day}: its first unix second) and requested model, oldest first; the window defaults to the last 14 days.
     * What the console's usage charts draw.
     */
    @GetMapping("/usage")
    public ApiResponse usage(@RequestParam(name = "start_timestamp", required = false) Long start,
                             @RequestParam(name = "end_timestamp", required = false) Long end,
                             @RequestParam(name = "token_id", required = false) Long tokenId) {
        long to = end == null || end <= 0 ? Long.MAX_VALUE : end;
        long from = start == null || start <= 0 ? java.time.Instant.now().getEpochSecond() - 14 * 86_400L : start;
        if (from > to) {
            throw GatewayException.badRequest("start_timestamp: " + from + " (expected: <= end_timestamp " + to + ")");
        }
        return ApiResponse.ok(logs.usage(from, to, tokenId).stream()
                .map(u -> new UsageView(u.day(), u.model(), u.requests(), u.quota(), plain(u.costUsd()),
                        u.promptTokens(), u.completionTokens()))
                .toList());
    }

    /**
     * {@code GET /api/log/costs?start_timestamp=&end_timestamp=&p=&page_size=}: the exact cost of every consumption
     * row of a credit-platform token in the window (unix seconds, inclusive), oldest first; what the platform's
     * reconciliation compares with its ledger (the platform's event id of a row is {@code "cg-" + request_id}).
     */
    @GetMapping("/costs")
    ApiResponse costs(@RequestParam(name = "start_timestamp", required = false) Long start,
                      @RequestParam(name = "end_timestamp", required = false) Long end,
                      @RequestParam(name = "p", required = false) Integer p,
                      @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(p, pageSize);
        long from = start == null ? 0 : start;
        long to = end == null || end <= 0 ? Long.MAX_VALUE : end;
        List<CostView> items = logs.costs(from, to, paging.offset(), paging.pageSize()).stream()
                .map(c -> new CostView(c.requestId(), c.tokenId(), plain(c.costUsd()), c.createdAt())).toList();
        return ApiResponse.ok(new PageResult<>(items, logs.countCosts(from, to), paging.page(), paging.pageSize()));
    }
}
