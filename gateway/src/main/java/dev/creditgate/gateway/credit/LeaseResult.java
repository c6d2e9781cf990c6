package dev.creditgate.gateway.credit;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Answer of the lease calls of {@link CreditPlatformClient} (open, refresh, settle, release): {@link Leased},
 * {@link Refused} (open: not enough credit for the smallest useful lease), {@link Gone} (the lease is no longer
 * active), {@link Rejected} (another business refusal), {@link NotFound} (unknown or disabled key, unknown lease) or
 * {@link Unavailable}.
 */
public sealed interface LeaseResult
        permits LeaseResult.Leased, LeaseResult.Refused, LeaseResult.Gone, LeaseResult.Rejected, NotFound, Unavailable {

    /**
     * 2xx with {@code success:true}. Amounts in credits.
     *
     * @param amount       what the lease holds now (unspent)
     * @param spent        settled through the lease so far (null when the answer has none)
     * @param available    the user's available credit besides the lease (null when absent)
     * @param recalled     an admin is lowering the user's credit: do not expect the lease to grow
     * @param disabledKeys refresh: keys of the request that are no longer active
     * @param results      settle: per event ({@code eventId}, {@code outcome})
     */
    record Leased(String leaseId, String userId, String status, BigDecimal amount, BigDecimal spent,
                  BigDecimal available, BigDecimal creditsPerUsd, Instant expiresAt, boolean recalled,
                  List<String> disabledKeys, List<EventOutcome> results) implements LeaseResult {

        public boolean active() {
            return "ACTIVE".equals(status);
        }
    }

    /** One settled event: {@code CHARGED} or {@code DUPLICATE_EVENT}. */
    record EventOutcome(String eventId, String outcome) {
    }

    /** 402 on open: the smallest useful lease does not fit the available credit. */
    record Refused(BigDecimal available, BigDecimal needed) implements LeaseResult {
    }

    /** 409: the lease is RELEASED or EXPIRED (open a new one). */
    record Gone(String leaseId, String status) implements LeaseResult {
    }

    /** Another 4xx (bad input): retrying will not change it. */
    record Rejected(int status, String code, String message) implements LeaseResult {
    }
}
