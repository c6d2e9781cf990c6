package dev.creditgate.gateway.credit;

import java.math.BigDecimal;

/**
 * Answer of {@link CreditPlatformClient#capture} and {@link CreditPlatformClient#release}: {@link Settled},
 * {@link Rejected} (a business answer such as an unknown hold or a conflicting outcome) or {@link Unavailable}
 * (try again later: both calls are idempotent).
 */
public sealed interface SettleResult permits SettleResult.Settled, SettleResult.Rejected, Unavailable {

    /**
     * 2xx with {@code success:true}.
     *
     * @param holdId    the hold
     * @param outcome   the platform's outcome name, e.g. {@code CAPTURED}, {@code RELEASED} ({@code null} when absent)
     * @param available the user's available credit afterwards ({@code null} when absent)
     * @param debt      the user's debt afterwards ({@code null} when absent)
     */
    record Settled(String holdId, String outcome, BigDecimal available, BigDecimal debt) implements SettleResult {
    }

    /**
     * A 4xx business answer other than 401/403: unknown hold (404), conflicting outcome (409, e.g.
     * {@code ALREADY_CAPTURED}), bad input (400). Retrying will not change it.
     *
     * @param status  HTTP status
     * @param code    the platform's {@code code} ({@code null} when absent)
     * @param outcome the platform's {@code outcome} ({@code null} when absent)
     * @param message the platform's {@code message} ({@code null} when absent)
     */
    record Rejected(int status, String code, String outcome, String message) implements SettleResult {
    }
}
