package dev.creditgate.contract;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of capture, release and extension ({@code POST /api/credits/holds/:holdId/capture|release|extend}).
 * {@code {"success":true,"holdId":"..","outcome":"CAPTURED","amount":1.5,"captured":1.2,"available":98.8,"debt":0}};
 * a conflicting outcome (409): {@code {"success":false,"holdId":"..","outcome":"ALREADY_CAPTURED",
 * "code":"already_captured","message":"..","amount":1.5,"captured":1.2}}.
 * An extension: {@code {"success":true,"holdId":"..","outcome":"EXTENDED","amount":1.5,"available":98.5,"debt":0,
 * "expiresAt":"2026-01-01T00:10:00.000Z"}}.
 * Unknown hold 404 / bad input 400: {@code {"success":false,"code":"..","message":".."}}.
 *
 * @param outcome   a {@link HoldOutcome} name
 * @param amount    credits the hold reserved
 * @param captured  credits debited by the capture (absent for releases)
 * @param available the user's available credit after the operation
 * @param debt      the user's debt after the operation (credits, >= 0)
 * @param expiresAt when the hold expires (ISO-8601 UTC with milliseconds); only in answers of an extension
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HoldOutcomeAnswer(boolean success, String holdId, String outcome, String code, String message,
                                BigDecimal amount, BigDecimal captured, BigDecimal available, BigDecimal debt,
                                String expiresAt) {
}
