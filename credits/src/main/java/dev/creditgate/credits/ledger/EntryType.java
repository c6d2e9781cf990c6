package dev.creditgate.credits.ledger;

/**
 * Ledger entry types: LetAiCode's five plus CAPTURE (a hold posted for its actual cost) and LEASE_CHARGE (one
 * request's cost settled through a lease).
 */
public enum EntryType {
    RECHARGE, BONUS, REFUND, ADMIN_ADJUST,
    /** usage charged from a webhook (check mode) */
    DEDUCT,
    /** usage charged by capturing a hold (reserve mode) */
    CAPTURE,
    /** usage charged by settling an event of a lease (reserve mode with leases): one entry per request */
    LEASE_CHARGE
}
