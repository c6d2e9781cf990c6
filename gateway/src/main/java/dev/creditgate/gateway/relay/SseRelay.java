package dev.creditgate.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Relays an upstream's server-sent events to the client as they arrive, one event at a time (its {@code event:},
 * {@code data:} and other lines verbatim, then the blank line), flushing after each. A per-format
 * {@link EventTransformer} sees every complete event before it is sent and decides what the client gets for it:
 * the event as it came, other bytes, or nothing (it also reads usage and delivered text).
 *
 * <p>The client's answer is committed with the first event sent, so that an upstream that fails or ends before
 * it throws {@link IOException} with nothing sent: the pipeline may still fail over. After the first event
 * nothing is retried: an upstream that breaks off ends the client's stream (after {@code trailerOnBreak}, when
 * given), and a client that goes away ends the relay at once; the upstream body is then closed, not drained.
 */
public final class SseRelay {

    /** The longest SSE line accepted from an upstream. */
    public static final int MAX_LINE = 4 << 20;

    private static final byte[] EVENT = "event:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private SseRelay() {
    }

    /** Sees each complete upstream event and decides what the client gets for it. Must not throw. */
    @FunctionalInterface
    public interface EventTransformer {

        /**
         * @param event the value of the event's {@code event:} line, or null when it has none
         * @param data  the event's {@code data:} payload (several lines joined by {@code \n}), or null when it has none
         * @param raw   the whole event as the upstream sent it (lines ending in {@code \n}, then the blank line)
         * @return the bytes to send for it: {@code raw} to pass it, other bytes to rewrite it, null to hide it
         */
        byte[] onEvent(String event, byte[] data, byte[] raw);
    }

    /**
     * How the relay ended.
     *
     * @param anyByteDelivered   at least one event was written to the client
     * @param clientDisconnected a write to the client failed: it went away
     * @param upstreamBroken     the upstream's body failed after the first event (the client's stream is cut short)
     * @param durationExceeded   the gateway ended the stream at its maximum duration (then also {@code upstreamBroken})
     */
    public record Outcome(boolean anyByteDelivered, boolean clientDisconnected, boolean upstreamBroken,
                          boolean durationExceeded) {

        public Outcome(boolean anyByteDelivered, boolean clientDisconnected, boolean upstreamBroken) {
            this(anyByteDelivered, clientDisconnected, upstreamBroken, false);
        }

        /** The upstream's stream ended normally and every event of it was written to the client. */
        public boolean completed() {
            return anyByteDelivered && !clientDisconnected && !upstreamBroken;
        }
    }

    /**
     * Relays a 2xx event-stream answer.
     *
     * @param trailerOnBreak bytes sent to the client when the upstream breaks off mid-stream (an error event in
     *                       the wire format), or null
     * @throws IOException when the upstream failed or ended before its first event (nothing reached the client)
     */
    public static Outcome relay(HttpResponse<InputStream> answer, HttpServletResponse client,
                                EventTransformer transformer, byte[] trailerOnBreak) throws IOException {
        return relay(answer, client, transformer, trailerOnBreak, null);
    }

    /**
     * Relays a 2xx event-stream answer for at most {@code maxDuration} (null: no limit): past it, the stream is
     * ended as if the upstream had broken off (the trailer is sent, the upstream body closed).
     */
    public static Outcome relay(HttpResponse<InputStream> answer, HttpServletResponse client,
                                EventTransformer transformer, byte[] trailerOnBreak, Duration maxDuration)
            throws IOException {
        long began = System.nanoTime();
        long maxNanos = maxDuration == null ? Long.MAX_VALUE : maxDuration.toNanos();
        boolean overtime = false;
        ByteArrayOutputStream event = new ByteArrayOutputStream(512);
        ByteArrayOutputStream data = new ByteArrayOutputStream(512);
        boolean hasData = false;
        String name = null;
        ServletOutputStream out = null;
        boolean any = false;
        boolean disconnected = false;
        boolean broken = false;
        InputStream in = answer.body();
        try {
            SseLineReader reader = new SseLineReader(in, MAX_LINE);
            while (true) {
                byte[] line;
                try {
                    line = reader.readLine();
                } catch (IOException e) {
                    if (!any) {
                        throw e; // nothing sent yet: the pipeline may fail over
                    }
                    broken = true;
                    line = null;
                }
                if (line != null && any && System.nanoTime() - began > maxNanos) {
                    overtime = true; // the event being read is dropped like a broken upstream's partial one
                    broken = true;
                    line = null;
                }
                if (line == null || line.length == 0) {
                    if (event.size() > 0 && !broken) { // a partial event of a broken upstream is dropped
                        event.write('\n');
                        byte[] send = transformer.onEvent(name, hasData ? data.toByteArray() : null,
                                event.toByteArray());
                        if (send != null) {
                            if (out == null) {
                                out = commit(answer, client);
                            }
                            if (!write(out, send)) {
                                disconnected = true;
                                break; // the client left: stop reading, the upstream body is closed below
                            }
                            any = true;
                        }
                        event.reset();
                        data.reset();
                        hasData = false;
                        name = null;
                    }
                    if (line == null) {
                        break;
                    }
                    continue;
                }
                event.writeBytes(line);
                event.write('\n');
                if (startsWith(line, EVENT)) {
                    name = new String(line, EVENT.length, line.length - EVENT.length, StandardCharsets.UTF_8).strip();
                } else if (startsWith(line, DATA)) {
                    if (hasData) {
                        data.write('\n');
                    }
                    int start = DATA.length < line.length && line[DATA.length] == ' ' ? DATA.length + 1 : DATA.length;
                    data.write(line, start, line.length - start);
                    hasData = true;
                }
            }
        } finally {
            closeQuietly(in); // drops the connection when the body was not read to its end
        }
        if (!any && !disconnected) {
            throw new IOException("event stream ended before its first event");
        }
        if (broken && !disconnected && trailerOnBreak != null) {
            disconnected = !write(out, trailerOnBreak);
        }
        return new Outcome(any, disconnected, broken, overtime);
    }

    private static ServletOutputStream commit(HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        client.setStatus(answer.statusCode());
        client.setHeader("Content-Type", answer.headers().firstValue("Content-Type").orElse("text/event-stream"));
        client.setHeader("Cache-Control", "no-cache");
        client.setHeader("X-Accel-Buffering", "no");
        return client.getOutputStream();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing more to read or release
        }
    }

    private static boolean write(ServletOutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean startsWith(byte[] line, byte[] prefix) {
        if (line.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
