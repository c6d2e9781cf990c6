package dev.creditgate.contract;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code POST /api/credits/holds}.
 * 201 (200 when the requestId was seen before): {@code {"success":true,"holdId":"..","status":"PENDING",
 * "amount":1.5,"available":98.5,"expiresAt":"2026-01-01T00:05:00.000Z"}};
 * 402: {@code {"success":false,"code":"insufficient_credit","message":"..","available":0.5,"needed":1.5}}.
 * Other failures: {@code {"success":false,"code":"..","message":".."}}.
 *
 * @param status    PENDING, CAPTURED, RELEASED or EXPIRED (a replayed requestId may find a finished hold)
 * @param amount    credits reserved
 * @param available credits available after the reservation (or now, on refusal)
 * @param needed    credits the refused hold asked for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HoldAnswer(boolean success, String holdId, String status, BigDecimal amount, BigDecimal available,
                         String expiresAt, String code, String message, BigDecimal needed) {
}
