package dev.creditgate.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * What the mock does wrong (or slowly) on a call. Immutable; build from {@link #NONE} with the
 * {@code with...} methods, e.g. {@code Fault.NONE.withChunkDelay(Duration.ofMillis(50)).withCutAfter(3)}.
 *
 * @param delay          sleep before answering at all (before the status line)
 * @param chunkDelay     sleep before each content delta of a stream
 * @param status         when non-zero, answer this HTTP status with the API's error body instead
 * @param message        error message for {@code status} (null: the real API's usual message)
 * @param garbage        answer 200 with a body that is not JSON (streams: one SSE event that is not JSON)
 * @param omitUsage      leave usage out (non-stream: no usage field; streams: no usage chunk / event usage)
 * @param cutAfterChunks when >= 0, close the connection abruptly after this many content deltas of a
 *                       stream (no terminating chunk, no {@code [DONE]}/{@code message_stop}); -1: off
 * @param cutAtStart     close a stream's connection abruptly right after its 200 headers, before its first event
 */
public record Fault(Duration delay, Duration chunkDelay, int status, String message, boolean garbage,
                    boolean omitUsage, int cutAfterChunks, boolean cutAtStart) {

    /** No fault: answer at once, correctly. */
    public static final Fault NONE = new Fault(Duration.ZERO, Duration.ZERO, 0, null, false, false, -1, false);

    public Fault {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(chunkDelay, "chunkDelay");
        if (delay.isNegative() || chunkDelay.isNegative()) {
            throw new IllegalArgumentException("delays must be >= 0: delay=" + delay + ", chunkDelay=" + chunkDelay);
        }
        if (status != 0 && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status: " + status + " (expected: 0 or 100..599)");
        }
        if (cutAfterChunks < -1) {
            throw new IllegalArgumentException("cutAfterChunks: " + cutAfterChunks + " (expected: -1 (off) or >= 0)");
        }
    }

    public Fault withDelay(Duration delay) {
        return new Fault(delay, chunkDelay, status, message, garbage, omitUsage, cutAfterChunks, cutAtStart);
    }

    public Fault withChunkDelay(Duration chunkDelay) {
        return new Fault(delay, chunkDelay, status, message, garbage, omitUsage, cutAfterChunks, cutAtStart);
    }

    /** Answer {@code status} with the API's usual error message. */
    public Fault withStatus(int status) {
        return new Fault(delay, chunkDelay, status, null, garbage, omitUsage, cutAfterChunks, cutAtStart);
    }

    public Fault withStatus(int status, String message) {
        return new Fault(delay, chunkDelay, status, message, garbage, omitUsage, cutAfterChunks, cutAtStart);
    }

    public Fault withGarbage() {
        return new Fault(delay, chunkDelay, status, message, true, omitUsage, cutAfterChunks, cutAtStart);
    }

    public Fault withoutUsage() {
        return new Fault(delay, chunkDelay, status, message, garbage, true, cutAfterChunks, cutAtStart);
    }

    /** Cut streams abruptly after {@code contentChunks} content deltas. */
    public Fault withCutAfter(int contentChunks) {
        return new Fault(delay, chunkDelay, status, message, garbage, omitUsage, contentChunks, cutAtStart);
    }

    /** Cut streams abruptly after their 200 headers, before the first event (a non-stream answer is unaffected). */
    public Fault withCutAtStart() {
        return new Fault(delay, chunkDelay, status, message, garbage, omitUsage, cutAfterChunks, true);
    }
}
