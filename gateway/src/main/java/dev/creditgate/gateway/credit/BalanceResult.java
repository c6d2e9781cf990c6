package dev.creditgate.gateway.credit;

import java.math.BigDecimal;

/** Answer of {@link CreditPlatformClient#balance(String)}: {@link Balance}, {@link NotFound} or {@link Unavailable}. */
public sealed interface BalanceResult permits BalanceResult.Balance, NotFound, Unavailable {

    /**
     * 200 from {@code GET /api/credits/balance/:keyId}. Amounts are exact decimals of credits.
     *
     * @param keyId          the platform key id (the gateway token's {@code remote_key_id})
     * @param credit         available credit (posted balance minus pending holds; negative when in debt)
     * @param held           credits held by pending holds ({@code 0} when the answer has none)
     * @param creditsPerUsd  the platform's rate, or the configured fallback when the answer has none
     * @param userId         the platform user id ({@code null} when absent)
     * @param gatewayTokenId the answer's {@code remoteKeyId}: the gateway token id ({@code null} when absent)
     * @param timestamp      the answer's {@code timestamp} as sent ({@code null} when absent)
     */
    record Balance(String keyId, BigDecimal credit, BigDecimal held, BigDecimal creditsPerUsd, String userId,
                   String gatewayTokenId, String timestamp) implements BalanceResult {
    }
}
