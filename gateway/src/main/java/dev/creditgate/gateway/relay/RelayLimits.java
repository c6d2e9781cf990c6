package dev.creditgate.gateway.relay;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the relay request path ({@code gateway.relay.*}); bad values stop the start. The body limit is
 * {@code gateway.max-body-size}, the upstream's silence {@code gateway.upstream.idle-timeout}.
 *
 * @param maxModelNameLength a {@code model} longer than this (in characters), or with a control character, is
 *                           answered 400 before anything else happens (no log row, no channel lookup)
 * @param maxStreamDuration  a relayed stream is ended by the gateway after this long (the client gets the wire
 *                           format's error event; what was delivered is settled, estimated from the text when the
 *                           upstream's usage had not come yet). Keep it below the outbox's
 *                           {@code gateway.usage.outbox.intent-timeout} (30 min), after which recovery would charge
 *                           a still running request at its estimate
 * @param maxConcurrent      relayed requests in progress at once on this instance (streams included, from the first
 *                           byte of the request to the last of the answer); one more is answered 503
 *                           {@code gateway_busy} with {@code Retry-After} before its body is read, so that a flood
 *                           of streams degrades the gateway instead of running it out of heap. 0 (the default):
 *                           from the heap, {@link #AUTO_BYTES_PER_RELAY} per relay above {@link #AUTO_HEAP_RESERVE}
 *                           of {@code -Xmx} (see {@link #concurrentRelays()})
 */
@ConfigurationProperties("gateway.relay")
public record RelayLimits(
        @DefaultValue("200") int maxModelNameLength,
        @DefaultValue("20m") Duration maxStreamDuration,
        @DefaultValue("0") int maxConcurrent) {

    /** Heap one relay needs while it runs, measured with held streams (gateway/GATEWAY.md), with room for garbage. */
    public static final long AUTO_BYTES_PER_RELAY = 128 * 1024;
    /** Heap kept for everything but relays (caches, tokenizers, idle connections, the log queue). */
    public static final long AUTO_HEAP_RESERVE = 256L * 1024 * 1024;
    /** The automatic bound never goes below this, however small the heap. */
    public static final int AUTO_MIN = 64;

    public RelayLimits {
        if (maxModelNameLength < 1 || maxModelNameLength > 255) {
            throw new IllegalArgumentException("gateway.relay.max-model-name-length: " + maxModelNameLength
                    + " (expected: 1..255, the log column holds 255)");
        }
        if (maxStreamDuration.toMillis() <= 0) {
            throw new IllegalArgumentException("gateway.relay.max-stream-duration: " + maxStreamDuration
                    + " (expected: > 0)");
        }
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("gateway.relay.max-concurrent: " + maxConcurrent
                    + " (expected: >= 0; 0 sizes it from the heap)");
        }
    }

    /** The bound in force: {@link #maxConcurrent} when set, else sized from this JVM's maximum heap. */
    public int concurrentRelays() {
        return maxConcurrent > 0 ? maxConcurrent : fromHeap(Runtime.getRuntime().maxMemory());
    }

    static int fromHeap(long maxHeapBytes) {
        long n = (maxHeapBytes - AUTO_HEAP_RESERVE) / AUTO_BYTES_PER_RELAY;
        return (int) Math.max(AUTO_MIN, Math.min(n, Integer.MAX_VALUE));
    }
}
