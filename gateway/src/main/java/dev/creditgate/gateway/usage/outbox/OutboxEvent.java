package dev.creditgate.gateway.usage.outbox;

/**
 * One row of {@code usage_events}, as the deliverer and the management API see it.
 *
 * @param id            row id
 * @param eventId       idempotency key at the platform (captures and webhooks share the id space)
 * @param kind          what to do
 * @param status        where it is in its life
 * @param tokenId       the gateway token (the webhook's {@code remoteKeyId})
 * @param remoteKeyId   the platform key id (the webhook's {@code keyId})
 * @param holdId        the platform hold, for CAPTURE / RELEASE
 * @param payload       the usage and cost
 * @param attempts      delivery attempts made
 * @param nextAttemptAt unix ms (for INTENT rows: when recovery may charge the estimate)
 * @param lastError     why the last attempt failed, or a note
 * @param createdAt     unix ms
 * @param updatedAt     unix ms
 */
public record OutboxEvent(long id, String eventId, OutboxKind kind, OutboxStatus status, long tokenId,
                          String remoteKeyId, String holdId, UsagePayload payload, int attempts, long nextAttemptAt,
                          String lastError, long createdAt, long updatedAt) {
}
