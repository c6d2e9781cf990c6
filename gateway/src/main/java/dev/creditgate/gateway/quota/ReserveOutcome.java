package dev.creditgate.gateway.quota;

/**
 * What {@link QuotaStore#reserve} did: a value, not an exception.
 *
 * @param status      the outcome
 * @param reservation what was taken, when {@code status == RESERVED}; otherwise {@code null}
 * @param remaining   when refused: the remaining quota of whichever side was short (token's
 *                    {@code remain_quota} or user's {@code quota}); 0 when the row is missing
 */
record ReserveOutcome(Status status, Reservation reservation, long remaining) {

    enum Status {
        /** Both conditional debits applied, in one transaction. */
        RESERVED,
        /** The token's {@code remain_quota} is below the amount; nothing changed. */
        TOKEN_QUOTA_SHORT,
        /** The user's {@code quota} is below the amount; nothing changed (the token debit was rolled back). */
        USER_QUOTA_SHORT
    }

    static ReserveOutcome reserved(Reservation reservation) {
        return new ReserveOutcome(Status.RESERVED, reservation, 0);
    }

    static ReserveOutcome refused(Status status, long remaining) {
        return new ReserveOutcome(status, null, remaining);
    }
}
