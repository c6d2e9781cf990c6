package dev.creditgate.gateway.usage.outbox;

/** What an outbox row asks of the credit platform. */
public enum OutboxKind {
    /** Capture the request's hold for the cost in the payload ({@code eventId} = the row's event id). */
    CAPTURE,
    /** Release the request's hold (nothing was delivered). */
    RELEASE,
    /** Send a signed usage webhook (SPEC 4.2) for the cost in the payload: no hold to capture. */
    WEBHOOK
}
