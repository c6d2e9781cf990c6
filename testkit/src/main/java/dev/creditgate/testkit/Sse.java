package dev.creditgate.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Writes server-sent events one at a time, flushing each; applies the chunk delay and the cut. */
final class Sse {

    /** Thrown to make the HTTP server close the connection without finishing the response. */
    static final class Cut extends RuntimeException {
        Cut() {
            super("stream cut by fault injection", null, false, false);
        }
    }

    /** Thrown when a write fails: the client went away. */
    static final class ClientGone extends RuntimeException {
        ClientGone(IOException cause) {
            super("client went away mid-stream", cause, false, false);
        }
    }

    private final OutputStream out;
    private final Duration chunkDelay;
    private final int cutAfter;
    private int contentSent;

    Sse(OutputStream out, Fault fault) {
        this.out = out;
        this.chunkDelay = fault.chunkDelay();
        this.cutAfter = fault.cutAfterChunks();
    }

    /** {@code event: name} (when name is not null) and {@code data: data}, then flush. */
    void event(String name, String data) {
        String frame = name == null ? "data: " + data + "\n\n" : "event: " + name + "\ndata: " + data + "\n\n";
        write(frame);
    }

    /** Before the first content delta: a cut after 0 chunks happens here. */
    void beforeContent() {
        if (cutAfter == 0) {
            throw new Cut();
        }
    }

    /** A content delta: waits the chunk delay, writes, and cuts the stream when due. */
    void content(String name, String data) {
        if (chunkDelay.isPositive()) {
            try {
                Thread.sleep(chunkDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cut();
            }
        }
        event(name, data);
        contentSent++;
        if (contentSent == cutAfter) {
            throw new Cut();
        }
    }

    private void write(String frame) {
        try {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }
}
