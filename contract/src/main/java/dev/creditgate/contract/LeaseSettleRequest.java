package dev.creditgate.contract;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /api/credits/leases/:leaseId/settle}: the actual cost of requests admitted under the lease,
 * 1 .. 500 events, charged in one transaction. Each event is charged once by its {@code eventId} (shared with
 * captures and usage webhooks), as one ledger entry of its own (type {@code LEASE_CHARGE}, with key, model and
 * event id), so per-request usage stays visible. The lease's amount goes down by what it covers; a cost above what
 * is left of the lease is debited all the same (debt, as a capture above its hold). A lease that is RELEASED or
 * EXPIRED still accepts settlements (a surviving gateway instance settles a dead one's usage from the outbox): the
 * events are then plain debits.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LeaseSettleRequest(List<Event> events) {

    /**
     * @param eventId  idempotency key (1..128 chars)
     * @param keyId    the platform key the request came with (must belong to the lease's user)
     * @param costUsd  actual cost in USD (0 .. 1,000,000; exact)
     * @param model    for the record (optional)
     * @param promptTokens, completionTokens, totalTokens, cacheReadTokens, cacheWriteTokens: for the record
     *                 (optional, >= 0)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(String eventId, String keyId, BigDecimal costUsd, String model, Long promptTokens,
                        Long completionTokens, Long totalTokens, Long cacheReadTokens, Long cacheWriteTokens) {
    }
}
