package dev.creditgate.gateway.usage.outbox;

/**
 * Delivers one outbox event to the credit platform (implemented by the credit package). Must be idempotent per
 * {@link OutboxEvent#eventId()}: the deliverer may call it more than once for one event (a lost answer, a lease
 * that ran out), and the platform dedups by event id.
 */
@FunctionalInterface
public interface UsageDelivery {

    Result deliver(OutboxEvent event);

    /**
     * Delivers events that can go together (the deliverer passes the due {@link OutboxKind#LEASE} rows of one lease
     * at once); one result per event, in order. By default one {@link #deliver} each.
     */
    default java.util.List<Result> deliverAll(java.util.List<OutboxEvent> events) {
        return events.stream().map(this::deliver).toList();
    }

    /** What an attempt achieved. */
    sealed interface Result {
    }

    /** Done (including "already done" answers from the platform); {@code note} is kept as {@code last_error}. */
    record Delivered(String note) implements Result {
    }

    /**
     * Not now: retry with backoff.
     *
     * @param countsAsAttempt false when nothing was tried (the breaker was open): the attempt budget is kept
     * @param notBeforeMillis the earliest sensible retry from now (the breaker's next probe), at least the backoff
     */
    record Retry(String reason, boolean countsAsAttempt, long notBeforeMillis) implements Result {
        public Retry(String reason, boolean countsAsAttempt) {
            this(reason, countsAsAttempt, 0);
        }
    }

    /** Turn the row into another kind (a capture the platform cannot take any more becomes a webhook) and retry. */
    record Convert(OutboxKind kind, String reason) implements Result {
    }

    /** A permanent refusal: the row becomes FAILED at once (replayable). */
    record Rejected(String reason) implements Result {
    }
}
