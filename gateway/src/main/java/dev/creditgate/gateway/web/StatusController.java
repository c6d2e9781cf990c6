package dev.creditgate.gateway.web;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/status}: public, as in new-api; LetAiCode health-checks the gateway with it. */
@RestController
class StatusController {

    private final Clock clock;
    private final long startedAt;

    StatusController(Clock clock) {
        this.clock = clock;
        this.startedAt = clock.instant().getEpochSecond();
    }

    @GetMapping("/api/status")
    ApiResponse status() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("system_name", "Creditgate");
        data.put("version", StatusController.class.getPackage().getImplementationVersion());
        data.put("start_time", startedAt);
        data.put("server_time", clock.instant().getEpochSecond());
        data.put("quota_per_unit", 500_000);
        return ApiResponse.ok(data);
    }
}
