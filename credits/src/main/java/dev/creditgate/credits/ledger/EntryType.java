package dev.creditgate.credits.ledger;

/** Ledger entry types: LetAiCode's five plus CAPTURE (a hold posted for its actual cost). */
public enum EntryType {
    RECHARGE, BONUS, REFUND, ADMIN_ADJUST,
    /** usage charged from a webhook (check mode) */
    DEDUCT,
    /** usage charged by capturing a hold (reserve mode) */
    CAPTURE
}
