package dev.creditgate.contract;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /api/credits/holds}.
 *
 * @param keyId      the platform's key id (the gateway token's {@code remote_key_id})
 * @param requestId  idempotency key (1..128 chars): the same requestId returns the same hold
 * @param amountUsd  amount to reserve in USD (0 .. 1,000,000; exact; a JSON number or string)
 * @param ttlSeconds seconds until the hold expires (1 .. 86,400; default 300)
 * @param model      model name, for the record (optional)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HoldRequest(String keyId, String requestId, BigDecimal amountUsd, Long ttlSeconds, String model) {
}
