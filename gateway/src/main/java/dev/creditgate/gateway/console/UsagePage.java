package dev.creditgate.gateway.console;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.creditgate.gateway.token.TokenController;
import dev.creditgate.gateway.usage.LogController;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.Paging;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Usage per UTC day and per model (quota and USD) over the last {@code days}, from {@code GET /api/log/usage}. */
@Controller
class UsagePage {

    private final LogController logs;
    private final TokenController tokens;
    private final Clock clock;

    UsagePage(LogController logs, TokenController tokens, Clock clock) {
        this.logs = logs;
        this.tokens = tokens;
        this.clock = clock;
    }

    @GetMapping("/console")
    String home() {
        return "redirect:/console/usage";
    }

    @GetMapping("/console/usage")
    String usage(@RequestParam(name = "days", defaultValue = "14") int days,
                 @RequestParam(name = "token_id", required = false) Long tokenId, Model model) {
        if (days < 1 || days > 366) {
            throw GatewayException.badRequest("days: " + days + " (expected: 1..366)");
        }
        LocalDate today = LocalDate.ofInstant(Instant.now(clock), ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        List<Map<String, Object>> rows = Api.list(logs.usage(first.atStartOfDay(ZoneOffset.UTC).toEpochSecond(), null,
                tokenId));

        Map<String, BigDecimal> quotaByDay = new LinkedHashMap<>();
        Map<String, BigDecimal> usdByDay = new LinkedHashMap<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            quotaByDay.put(d.toString(), BigDecimal.ZERO);
            usdByDay.put(d.toString(), BigDecimal.ZERO);
        }
        Map<String, BigDecimal> quotaByModel = new TreeMap<>();
        Map<String, BigDecimal> usdByModel = new TreeMap<>();
        Map<String, Long> requestsByModel = new TreeMap<>();
        for (Map<String, Object> r : rows) {
            String day = LocalDate.ofEpochDay(((Number) r.get("day")).longValue() / 86_400).toString();
            String m = (String) r.get("model_name");
            BigDecimal quota = new BigDecimal(r.get("quota").toString());
            BigDecimal usd = new BigDecimal((String) r.get("cost_usd"));
            quotaByDay.merge(day, quota, BigDecimal::add);
            usdByDay.merge(day, usd, BigDecimal::add);
            quotaByModel.merge(m, quota, BigDecimal::add);
            usdByModel.merge(m, usd, BigDecimal::add);
            requestsByModel.merge(m, ((Number) r.get("requests")).longValue(), Long::sum);
        }
        model.addAttribute("days", days);
        model.addAttribute("tokenId", tokenId);
        model.addAttribute("tokenChoices", Api.page(tokens.list(1, Paging.MAX_PAGE_SIZE, null, null, null)).items());
        model.addAttribute("charts", List.of(
                BarChart.of("Quota per day", "quota", quotaByDay, 10),
                BarChart.of("USD per day", "USD", usdByDay, 10),
                BarChart.of("Quota per model", "quota", quotaByModel, 14),
                BarChart.of("USD per model", "USD", usdByModel, 14)));
        model.addAttribute("models", requestsByModel.keySet().stream().map(m -> Map.of("model", m,
                "requests", requestsByModel.get(m), "quota", BarChart.plain(quotaByModel.get(m)),
                "usd", BarChart.plain(usdByModel.get(m)))).toList());
        return "console/usage";
    }
}
