package dev.creditgate.gateway.console;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.token.TokenController;
import dev.creditgate.gateway.usage.LogController;
import dev.creditgate.gateway.web.Paging;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The request log ({@link LogController}, newest first) with filters and paging, and the same rows as CSV
 * ({@code /console/logs.csv}, RFC 4180 quoting, at most {@value #CSV_MAX_ROWS} rows).
 */
@Controller
class LogsPage {

    static final int PAGE_SIZE = 50;
    static final int CSV_MAX_ROWS = 100_000;
    static final List<String> CSV_COLUMNS = List.of("id", "created_at", "type", "token_id", "token_name", "model_name",
            "prompt_tokens", "completion_tokens", "quota", "cost_usd", "use_time_ms", "is_stream", "channel",
            "request_id", "content");

    private final LogController logs;
    private final TokenController tokens;

    LogsPage(LogController logs, TokenController tokens) {
        this.logs = logs;
        this.tokens = tokens;
    }

    @GetMapping("/console/logs")
    String list(@RequestParam(name = "token_id", required = false) Long tokenId,
                @RequestParam(name = "model", required = false) String model,
                @RequestParam(name = "from", required = false) String from,
                @RequestParam(name = "to", required = false) String to,
                @RequestParam(name = "p", defaultValue = "1") int p,
                Model page) {
        LogFilter filter = new LogFilter(tokenId, model, from, to);
        Api.Page rows = Api.page(logs.list(tokenId, null, filter.start(), filter.end(), null, filter.modelOrNull(), p,
                PAGE_SIZE));
        page.addAttribute("filter", filter);
        page.addAttribute("logs", rows);
        page.addAttribute("tokenChoices", Api.page(tokens.list(1, Paging.MAX_PAGE_SIZE, null, null, null)).items());
        page.addAttribute("previous", "/console/logs" + filter.query(p - 1));
        page.addAttribute("next", "/console/logs" + filter.query(p + 1));
        page.addAttribute("csv", "/console/logs.csv" + filter.query(null));
        return "console/logs";
    }

    @GetMapping("/console/logs.csv")
    void csv(@RequestParam(name = "token_id", required = false) Long tokenId,
             @RequestParam(name = "model", required = false) String model,
             @RequestParam(name = "from", required = false) String from,
             @RequestParam(name = "to", required = false) String to,
             HttpServletResponse response) throws IOException {
        LogFilter filter = new LogFilter(tokenId, model, from, to);
        Long start = filter.start();
        // Paged newest first: the end is pinned to now so that rows written meanwhile do not shift the pages.
        Long end = filter.end() != null ? filter.end() : Instant.now().getEpochSecond();
        response.setContentType("text/csv; charset=utf-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"gateway-logs.csv\"");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        Writer out = response.getWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder()
                .setHeader(CSV_COLUMNS.toArray(String[]::new)).get())) {
            int written = 0;
            for (int p = 1; written < CSV_MAX_ROWS; p++) {
                Api.Page rows = Api.page(logs.list(tokenId, null, start, end, null, filter.modelOrNull(), p,
                        Paging.MAX_PAGE_SIZE));
                for (Map<String, Object> row : rows.items()) {
                    csv.printRecord(CSV_COLUMNS.stream().map(c -> cell(row.get(c))).toList());
                    written++;
                }
                if (!rows.hasNext()) {
                    break;
                }
            }
        }
    }

    /** A cell; text that a spreadsheet would run as a formula gets a leading apostrophe. */
    private static String cell(Object v) {
        String s = v == null ? "" : v.toString();
        return !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !s.matches("-?[0-9.]+") ? "'" + s : s;
    }
}
