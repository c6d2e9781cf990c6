package dev.creditgate.gateway.credit;

/**
 * The credit platform could not give an answer: not configured, unauthorized, timeout, transport error, 5xx,
 * unparsable answer, or the breaker is open. The caller applies {@code letaicode_fallback}.
 *
 * @param reason   a human-readable reason naming the state, e.g.
 *                 {@code "credit platform unavailable (breaker open for 4.2s after 5 failures)"}; never holds the token
 * @param outageId identifies the outage this failure belongs to (an outage starts with the first failure and ends
 *                 with the first answer from the platform); {@code > 0}
 */
public record Unavailable(String reason, long outageId)
        implements BalanceResult, HoldResult, SettleResult, LeaseResult {
}
