package dev.creditgate.contract;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of opening, refreshing, settling and releasing a lease.
 * Open: 201 (200 when the owner's ACTIVE lease of that user already existed); refresh, settle, release: 200:
 * {@code {"success":true,"leaseId":"..","userId":"..","status":"ACTIVE","amount":12.5,"available":87.5,
 * "creditsPerUsd":100,"expiresAt":"2026-01-01T00:00:30.000Z","recalled":false,"disabledKeys":[]}}.
 * 402 (open only): {@code {"success":false,"code":"insufficient_credit","message":"..","available":0.5,"needed":2}}.
 * A refresh of a lease that is no longer ACTIVE: 409 {@code {"success":false,"code":"lease_released"|
 * "lease_expired","leaseId":"..","status":"RELEASED"|"EXPIRED","amount":0}}. A disabled key on open: 403
 * {@code key_disabled}; an unknown key or lease: 404.
 *
 * @param status        ACTIVE, RELEASED or EXPIRED
 * @param amount        credits the lease holds now (unspent; counted in the user's held credit)
 * @param spent         credits settled through the lease so far (settle answers)
 * @param available     the user's available credit after the call (the lease not counted as available)
 * @param creditsPerUsd the platform's rate
 * @param expiresAt     ISO-8601 UTC with milliseconds
 * @param recalled      true while an admin is lowering the user's credit: the lease does not grow
 * @param disabledKeys  refresh: the asked {@code keyIds} that are no longer ACTIVE (disabled or deleted)
 * @param results       settle: one per event, in the order sent
 * @param needed        402: the credits asked for ({@code minUsd})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LeaseAnswer(boolean success, String leaseId, String userId, String status, BigDecimal amount,
                          BigDecimal spent, BigDecimal available, BigDecimal creditsPerUsd, String expiresAt,
                          Boolean recalled, List<String> disabledKeys, List<EventResult> results, String code,
                          String message, BigDecimal needed) {

    /**
     * The outcome of one settled event.
     *
     * @param outcome {@code CHARGED} (debited now) or {@code DUPLICATE_EVENT} (this eventId was charged before, by
     *                a lease settlement, a capture or a webhook: nothing debited again)
     * @param charged credits debited by this call for the event (0 for a duplicate)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EventResult(String eventId, String outcome, BigDecimal charged) {
    }
}
