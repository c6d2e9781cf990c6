package dev.creditgate.gateway.usage.outbox;

/** What an outbox row asks of the credit platform. */
public enum OutboxKind {
    /** Capture the request's hold for the cost in the payload ({@code eventId} = the row's event id). */
    CAPTURE,
    /** Release the request's hold (nothing was delivered). */
    RELEASE,
    /**
     * Settle the cost in the payload against a credit lease ({@code hold_id} = the lease id), in a batch with the
     * lease's other due rows.
     */
    LEASE,
    /** Send a signed usage webhook (SPEC 4.2) for the cost in the payload: no hold to capture. */
    WEBHOOK
}
