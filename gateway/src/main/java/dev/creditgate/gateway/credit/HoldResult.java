package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Answer of {@link CreditPlatformClient#createHold}: {@link Granted}, {@link Refused}, {@link TooManyHolds},
 * {@link NotFound} (the key is unknown to the platform) or {@link Unavailable}.
 */
public sealed interface HoldResult permits HoldResult.Granted, HoldResult.Refused, HoldResult.TooManyHolds, NotFound,
        Unavailable {

    /**
     * 201 (or 200 for a replayed requestId).
     *
     * @param holdId    the platform's hold id (use it to capture or release)
     * @param amount    credits reserved
     * @param available credits available after the reservation
     * @param expiresAt when the platform releases the hold by itself ({@code null} when the answer has none)
     */
    record Granted(String holdId, BigDecimal amount, BigDecimal available, Instant expiresAt) implements HoldResult {
    }

    /**
     * 402 {@code insufficient_credit}: the upstream must not be called.
     *
     * @param available credits available now ({@code null} when the answer has none)
     * @param needed    credits the hold asked for ({@code null} when the answer has none)
     */
    record Refused(BigDecimal available, BigDecimal needed) implements HoldResult {
    }

    /**
     * 429 {@code too_many_open_holds}: the key or its user has the most pending holds the platform allows
     * ({@code credits.holds.max-open-per-key} / {@code max-open-per-user}); the upstream must not be called.
     *
     * @param message the platform's message ({@code null} when the answer has none)
     */
    record TooManyHolds(String message) implements HoldResult {
    }
}
