package dev.creditgate.contract;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /api/credits/holds/:holdId/capture}.
 *
 * @param costUsd actual cost in USD (0 .. 1,000,000; exact; may exceed the hold)
 * @param eventId idempotency key shared with usage webhooks (1..128 chars); defaults to {@code "hold:<holdId>"}
 * @param usage   what was used (optional, recorded)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaptureRequest(BigDecimal costUsd, String eventId, Usage usage) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Usage(String model, Long promptTokens, Long completionTokens, Long totalTokens) {
    }
}
