package dev.creditgate.contract;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code GET /api/credits/balance/:keyId} (the seed's shape plus {@code held} and {@code creditsPerUsd}).
 * 200: {@code {"success":true,"credit":12.5,"userId":"..","keyId":"..","remoteKeyId":42,
 * "timestamp":"2026-01-01T00:00:00.000Z","held":0.25,"creditsPerUsd":100}};
 * 401/404/500: {@code {"success":false,"message":".."}}.
 *
 * @param credit        available credit in credits (posted balance minus pending unexpired holds; negative in debt)
 * @param remoteKeyId   the gateway's token id for this key
 * @param timestamp     ISO-8601 instant of the answer
 * @param held          credits reserved by pending unexpired holds
 * @param creditsPerUsd conversion rate in force
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BalanceAnswer(boolean success, BigDecimal credit, String userId, String keyId, Long remoteKeyId,
                            String timestamp, BigDecimal held, BigDecimal creditsPerUsd, String message) {

    public static BalanceAnswer failure(String message) {
        return new BalanceAnswer(false, null, null, null, null, null, null, null, message);
    }
}
