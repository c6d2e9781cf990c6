package dev.creditgate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay's HTTP/1.1 client against a scripted server: framing, reuse, timeouts, what a break hands out. */
class Http1ClientTest {

    /** What the server does with one request on a connection: writes bytes, may pause, may close. */
    @FunctionalInterface
    interface Script {
        /** @return false to close the connection after this answer */
        boolean answer(String request, OutputStream out) throws Exception;
    }

    private ServerSocket server;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private Http1Client client;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        client = new Http1Client(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                Script script = scripts.poll(5, TimeUnit.SECONDS);
                if (script == null || !script.answer(request, out)) {
                    return;
                }
                out.flush();
            }
        } catch (Exception e) {
            // the connection is gone
        }
    }

    /** Head and Content-Length body of one request, or null at the end of the connection. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                int length = 0;
                for (String line : text.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static boolean write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions?x=1");
    }

    private HttpResponse<InputStream> send(String body) throws IOException {
        return client.send(UpstreamRequest.post(uri().toString(), body.getBytes(StandardCharsets.UTF_8))
                .header("Content-Type", "application/json").header("Authorization", "Bearer k").build(),
                Duration.ofSeconds(2));
    }

    private static String readAll(HttpResponse<InputStream> r) throws IOException {
        try (InputStream in = r.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void sendsTheRequestAndReadsAContentLengthBody() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A: 1\r\nx-a: 2\r\n"
                + "Content-Length: 7\r\n\r\n{\"a\":1}"));

        HttpResponse<InputStream> r = send("{\"q\":1}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.headers().allValues("X-A")).containsExactly("1", "2");
        assertThat(readAll(r)).isEqualTo("{\"a\":1}");
        String req = requests.getFirst();
        assertThat(req).startsWith("POST /v1/chat/completions?x=1 HTTP/1.1\r\n")
                .contains("Host: 127.0.0.1:" + server.getLocalPort() + "\r\n")
                .contains("Content-Type: application/json\r\n").contains("Authorization: Bearer k\r\n")
                .contains("Content-Length: 7\r\n").endsWith("\r\n\r\n{\"q\":1}");
    }

    @Test
    void reusesAConnectionWhoseBodyWasReadToItsEnd() throws Exception {
        for (int i = 0; i < 3; i++) {
            scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(readAll(send("{}"))).isEqualTo("ok");
        }
        assertThat(connections).hasValue(1);
        assertThat(client.idleConnections(uri())).isEqualTo(1);
    }

    @Test
    void decodesAChunkedBodyAndHandsOutEachChunkAsItArrives() throws Exception {
        BlockingQueue<String> gate = new LinkedBlockingQueue<>();
        scripts.add((req, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n");
            gate.take(); // the client must see "hello" before the rest is sent
            write(out, "6\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
            return true;
        });

        HttpResponse<InputStream> r = send("{}");
        byte[] buf = new byte[100];
        int n = r.body().read(buf);
        assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).isEqualTo("hello");
        gate.add("go");

        assertThat(readAll(r)).isEqualTo(" world");
        assertThat(client.idleConnections(uri())).as("reusable after the last chunk").isEqualTo(1);
    }

    @Test
    void aBodyUntilTheConnectionEndsIsReadAndTheConnectionNotReused() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\n\r\nall of it") && false);
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));

        assertThat(readAll(send("{}"))).isEqualTo("all of it");
        assertThat(readAll(send("{}"))).isEqualTo("x");
        assertThat(connections).hasValue(2);
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na"));
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"));

        assertThat(readAll(send("{}"))).isEqualTo("a");
        assertThat(readAll(send("{}"))).isEqualTo("b");
        assertThat(connections).hasValue(2);
    }

    @Test
    void aPooledConnectionClosedByTheServerIsReplacedOnce() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na") && false); // then closes
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"));

        assertThat(readAll(send("{}"))).isEqualTo("a"); // no Connection: close: the client keeps it
        Thread.sleep(100);
        assertThat(readAll(send("{}"))).isEqualTo("b");
        assertThat(connections).hasValue(2);
        assertThat(requests).hasSize(2); // the stale connection never delivered the request
    }

    @Test
    void closingABodyBeforeItsEndClosesTheConnection() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly some"));
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"));

        HttpResponse<InputStream> r = send("{}");
        r.body().close();
        assertThatThrownBy(() -> r.body().read()).isInstanceOf(IOException.class);

        assertThat(readAll(send("{}"))).isEqualTo("b");
        assertThat(connections).hasValue(2);
    }

    @Test
    void bytesReceivedBeforeABreakAreHandedOutThenTheBreakIsReported() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\ndata: one\n\r\n20\r\ndata: tw") && false);

        HttpResponse<InputStream> r = send("{}");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        IOException failure = null;
        try {
            int n;
            while ((n = r.body().read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (IOException e) {
            failure = e;
        }

        assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("data: one\ndata: tw");
        assertThat(failure).isNotNull();
    }

    @Test
    void aShortContentLengthBodyIsABreak() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") && false);

        HttpResponse<InputStream> r = send("{}");

        assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOf(IOException.class)
                .hasMessageContaining("7 bytes");
    }

    @Test
    void anUpstreamSilentForTheIdleTimeoutFailsTheRead() throws Exception {
        scripts.add((req, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            Thread.sleep(3_000);
            return false;
        });

        HttpResponse<InputStream> r = send("{}");
        byte[] buf = new byte[10];
        assertThat(r.body().read(buf)).isEqualTo(3);

        assertThatThrownBy(() -> r.body().read(buf)).isInstanceOf(HttpTimeoutException.class)
                .hasMessageContaining("idle-timeout");
    }

    @Test
    void headersLaterThanTheResponseTimeoutFail() {
        scripts.add((req, out) -> {
            Thread.sleep(1_500);
            return write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        });

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.send(UpstreamRequest.post(uri().toString(), new byte[0]).build(),
                Duration.ofMillis(300)))
                .isInstanceOf(HttpTimeoutException.class).hasMessageContaining("response-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_400));
    }

    @Test
    void interimAnswersAreSkippedAndAnEmptyBodyEndsAtOnce() throws Exception {
        scripts.add((req, out) -> write(out, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"));

        HttpResponse<InputStream> r = send("{}");

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.body().read()).isEqualTo(-1);
        assertThat(client.idleConnections(uri())).isEqualTo(1);
    }

    @Test
    void aMalformedAnswerIsAnIoError() {
        scripts.add((req, out) -> write(out, "SMTP ready\r\n\r\n"));

        assertThatThrownBy(() -> send("{}")).isInstanceOf(IOException.class).hasMessageContaining("status line");
    }

    @Test
    void aRefusedConnectionIsAnIoError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> client.send(UpstreamRequest.post("http://127.0.0.1:" + port + "/", new byte[0]).build(),
                Duration.ofSeconds(1))).isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void headersThatCouldBreakTheRequestAreRefused() {
        assertThatThrownBy(() -> UpstreamRequest.post("http://x/", new byte[0]).header("X", "a\r\nEvil: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UpstreamRequest.post("http://x/", new byte[0]).header("X Y", "a"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyConcurrentExchangesShareAFewConnections() throws Exception {
        int n = 200;
        for (int i = 0; i < n; i++) {
            scripts.add((req, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        }
        List<Thread> threads = new ArrayList<>();
        AtomicInteger ok = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < n / 8; i++) {
                    try {
                        if (readAll(send("{}")).equals("ok")) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ok).hasValue(n);
        assertThat(connections.get()).isLessThanOrEqualTo(8);
    }
}
