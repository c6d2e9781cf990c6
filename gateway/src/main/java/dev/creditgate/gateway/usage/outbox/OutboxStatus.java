package dev.creditgate.gateway.usage.outbox;

/**
 * The life of an outbox row: {@code INTENT -> PENDING -> DELIVERED | FAILED}, {@code FAILED -> PENDING} by replay.
 * An {@code INTENT} row is written before the upstream call and carries the estimate; settlement turns it into
 * {@code PENDING} with the actual cost (or deletes it when nothing is owed and there is no hold); recovery turns an
 * {@code INTENT} row older than {@code gateway.usage.outbox.intent-timeout} into {@code PENDING} at the estimate.
 */
public enum OutboxStatus {
    INTENT, PENDING, DELIVERED, FAILED
}
