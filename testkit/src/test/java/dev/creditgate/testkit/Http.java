package dev.creditgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import tools.jackson.databind.JsonNode;

/** Small HTTP helpers for the tests: a JDK client and a raw socket for byte-exact checks. */
final class Http {

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    static HttpResponse<String> post(MockUpstream mock, String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static HttpResponse<String> get(MockUpstream mock, String path) {
        return send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + path)).GET().build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        return Json.MAPPER.readTree(text);
    }

    /** Opens a raw connection and sends a POST with {@code Connection: close}. */
    static Socket rawPost(MockUpstream mock, String path, String json) throws IOException {
        Socket socket = new Socket("127.0.0.1", mock.port());
        socket.setSoTimeout(10_000);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return socket;
    }

    /** Everything the server sends until it closes the connection (raw bytes, chunk framing included). */
    static String readToEnd(Socket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a reset after the data is also an end
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Reads until {@code marker} has been seen {@code times} times; returns what was read. */
    static String readUntil(Socket socket, String marker, int times) throws IOException {
        StringBuilder seen = new StringBuilder();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (count(seen, marker) < times) {
            int n = in.read(buffer);
            if (n == -1) {
                throw new IOException("connection closed after: " + seen);
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    static int count(CharSequence text, String marker) {
        int count = 0;
        String s = text.toString();
        for (int i = s.indexOf(marker); i >= 0; i = s.indexOf(marker, i + marker.length())) {
            count++;
        }
        return count;
    }
}
