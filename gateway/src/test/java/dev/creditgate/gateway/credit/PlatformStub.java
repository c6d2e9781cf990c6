package dev.creditgate.gateway.credit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A controllable credit platform on loopback: answers what the test says (per request), can hang, answer garbage,
 * or be stopped and restarted on the same port. Counts and records every request it receives.
 */
final class PlatformStub implements AutoCloseable {

    /** A recorded request. */
    record Request(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    /** What to answer; {@link #HANG} never answers (until the stub is closed or released). */
    record Reply(int status, String body) {
        static Reply json(int status, String body) {
            return new Reply(status, body);
        }
    }

    static final Reply HANG = new Reply(-1, null);

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger count = new AtomicInteger();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> perPath = new ConcurrentHashMap<>();
    private volatile Function<Request, Reply> handler = r -> Reply.json(500, "{\"success\":false}");
    private volatile CountDownLatch release = new CountDownLatch(1);
    private volatile HttpServer server;
    private final int port;

    PlatformStub() throws IOException {
        this(0);
    }

    PlatformStub(int port) throws IOException {
        this.server = start(port);
        this.port = server.getAddress().getPort();
    }

    private HttpServer start(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        return s;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                    Map.copyOf(ex.getRequestHeaders()), body);
            requests.add(r);
            count.incrementAndGet();
            perPath.computeIfAbsent(r.path(), p -> new AtomicInteger()).incrementAndGet();
            Reply reply = handler.apply(r);
            if (reply == HANG) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return; // closing without an answer
            }
            byte[] bytes = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** Every request gets {@code reply}. */
    PlatformStub always(Reply reply) {
        handler = r -> reply;
        return this;
    }

    PlatformStub always(int status, String body) {
        return always(Reply.json(status, body));
    }

    /** Replies in order; the last one repeats. */
    PlatformStub sequence(Reply... replies) {
        AtomicInteger i = new AtomicInteger();
        handler = r -> replies[Math.min(i.getAndIncrement(), replies.length - 1)];
        return this;
    }

    PlatformStub handler(Function<Request, Reply> h) {
        handler = h;
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    int count() {
        return count.get();
    }

    int count(String path) {
        AtomicInteger c = perPath.get(path);
        return c == null ? 0 : c.get();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request last() {
        List<Request> all = requests();
        return all.isEmpty() ? null : all.getLast();
    }

    /** Lets hanging handlers finish (without an answer). */
    void releaseHanging() {
        release.countDown();
        release = new CountDownLatch(1);
    }

    void stop() {
        releaseHanging();
        server.stop(0);
    }

    /** Starts again on the same port. */
    void restart() throws IOException {
        server = start(port);
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }

    static String balanceJson(String credit) {
        return "{\"success\":true,\"credit\":" + credit + ",\"userId\":\"u-1\",\"keyId\":\"k-1\",\"remoteKeyId\":42,"
                + "\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"held\":0,\"creditsPerUsd\":100}";
    }
}
