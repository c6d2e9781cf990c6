package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An upstream body as an {@link InputStream} that hands out every byte received before reporting an error.
 * (The JDK's {@code BodySubscribers.ofInputStream()} fails at once when the connection breaks, dropping bytes it
 * has already received: the last chunks of a cut stream, which are text the client should get and be billed for.)
 *
 * <p>A read that waits longer than the idle timeout fails (the upstream stalled), and the connection is dropped.
 * Demand is one buffer list at a time (backpressure: a slow client slows the upstream read). {@link #close()}
 * before the end cancels the subscription, which closes the upstream connection instead of draining it.
 */
final class OrderedBodySubscriber extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long idleNanos;
    private final CompletableFuture<InputStream> body = CompletableFuture.completedFuture(this);
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> buffers;
    private ByteBuffer current;
    private boolean ended;
    private IOException failure;

    /** @param idle the longest wait for the next bytes; past it the read fails and the connection is dropped */
    OrderedBodySubscriber(java.time.Duration idle) {
        this.idleNanos = idle.toNanos();
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(throwable);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("upstream body closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (buffers != null && buffers.hasNext()) {
                current = buffers.next();
                continue;
            }
            if (ended) {
                return -1;
            }
            if (failure != null) {
                throw failure;
            }
            Object next;
            try {
                next = queue.poll(idleNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the upstream body", e);
            }
            if (next == null) {
                failure = new java.net.http.HttpTimeoutException("upstream sent nothing for "
                        + java.time.Duration.ofNanos(idleNanos) + " (gateway.upstream.idle-timeout)");
                subscription.cancel();
                throw failure;
            }
            if (next == END) {
                ended = true;
                return -1;
            }
            if (next instanceof Throwable t) {
                failure = t instanceof IOException io ? io : new IOException(t.getMessage(), t);
                throw failure;
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) next;
            buffers = list.iterator();
            subscription.request(1);
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    /** Before the end: cancels the subscription (the connection is closed, not drained). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null && !ended && failure == null) {
            s.cancel();
        }
        queue.clear();
    }
}
