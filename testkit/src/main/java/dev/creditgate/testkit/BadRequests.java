package dev.creditgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bad-input suites' parts: cases (one bad request each, with the status it must get), a raw HTTP/1.1 client
 * that sends exactly the bytes and headers of a case (no client-side checks, a body may be refused mid-send), the
 * checks (a 4xx in the route's error shape, tables unchanged) and the list of a service's routes.
 */
public final class BadRequests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long asynchronous writers (log batches, outbox) get to write what a request might have queued. */
    private static final Duration SETTLE = Duration.ofMillis(120);

    private BadRequests() {}

    /** The error body a route answers with. */
    public enum Shape {
        /** {@code {"error":{"message",...}}} */
        OPENAI,
        /** {@code {"type":"error","error":{"type","message"}}} */
        ANTHROPIC,
        /** {@code {"success":false,"message"}} (new-api's and the platform's envelope) */
        ENVELOPE,
        /** refused by the servlet container before any route (e.g. headers over its limit): no shape to check */
        CONTAINER
    }

    /** One bad request and the status it must get. */
    public record Case(String route, String label, String method, String path, Map<String, String> headers,
                       byte[] body, int status, Shape shape) {
        @Override
        public String toString() {
            return route + " · " + label + " -> " + status;
        }
    }

    /** A route-specific body and its status. */
    public record Mutation(String label, String body, int status) {}

    /** An answer: status, headers (lower-case names) and body. */
    public record Reply(int status, Map<String, String> headers, String body) {}

    /**
     * Builds the cases of one route. The path and the authentication stay until changed; {@link #header} and
     * {@link #method} apply to the next case only.
     */
    public static final class Builder {
        private final List<Case> out;
        private final String route;
        private final String method;
        private final Shape shape;
        private String path;
        private String authName = "Authorization";
        private String authValue;
        private String nextMethod;
        private final Map<String, String> nextHeaders = new LinkedHashMap<>();

        public Builder(List<Case> out, String route, String method, String path, Shape shape) {
            this.out = out;
            this.route = route;
            this.method = method;
            this.path = path;
            this.shape = shape;
        }

        /** {@code Authorization: value}, or none when null. */
        public Builder auth(String value) {
            return auth("Authorization", value);
        }

        public Builder auth(String name, String value) {
            this.authName = name;
            this.authValue = value;
            return this;
        }

        public Builder path(String p) {
            this.path = p;
            return this;
        }

        public Builder header(String name, String value) {
            nextHeaders.put(name, value);
            return this;
        }

        public Builder method(String m) {
            this.nextMethod = m;
            return this;
        }

        /** A JSON body ({@code Content-Type: application/json}), or no body when null. */
        public Builder json(String body, int status, String label) {
            return raw(body == null ? null : "application/json",
                    body == null ? null : body.getBytes(StandardCharsets.UTF_8), status, label);
        }

        public Builder raw(String contentType, String body, int status, String label) {
            return raw(contentType, body.getBytes(StandardCharsets.UTF_8), status, label);
        }

        public Builder bytes(byte[] body, int status, String label) {
            return raw("application/json", body, status, label);
        }

        public Builder raw(String contentType, byte[] body, int status, String label) {
            Map<String, String> h = new LinkedHashMap<>();
            if (authValue != null) {
                h.put(authName, authValue);
            }
            if (contentType != null) {
                h.put("Content-Type", contentType);
            }
            boolean container = nextHeaders.values().stream().anyMatch(v -> v.length() > 8192);
            h.putAll(nextHeaders);
            out.add(new Case(route, label, nextMethod == null ? method : nextMethod, path, Map.copyOf(h), body, status,
                    container ? Shape.CONTAINER : shape));
            nextHeaders.clear();
            nextMethod = null;
            return this;
        }
    }

    /** A JSON object of about {@code bytes} bytes. */
    public static byte[] oversized(int bytes) {
        byte[] b = new byte[bytes];
        java.util.Arrays.fill(b, (byte) 'a');
        byte[] head = "{\"model\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, b, 0, head.length);
        b[bytes - 2] = '"';
        b[bytes - 1] = '}';
        return b;
    }

    /**
     * Sends a case over a socket of its own ({@code Connection: close}); the body is written by another thread, so a
     * server that answers before reading it all (413) is heard. Fails after 30 s.
     */
    public static Reply send(String baseUrl, Case c) {
        URI u = URI.create(baseUrl);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
            s.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(c.method()).append(' ').append(c.path()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(u.getHost()).append(':').append(u.getPort()).append("\r\n")
                    .append("Connection: close\r\n");
            c.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (c.body() != null) {
                head.append("Content-Length: ").append(c.body().length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream os = s.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    os.write(head.toString().getBytes(StandardCharsets.UTF_8));
                    if (c.body() != null) {
                        os.write(c.body());
                    }
                    os.flush();
                } catch (IOException refusedMidway) {
                    // the server answered and closed before reading everything: its answer is what counts
                }
            });
            Reply r = read(s.getInputStream());
            writer.join(5_000);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(c + ": no answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Reply read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Reply(code, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int ch;
        while ((ch = in.read()) >= 0 && ch != '\n') {
            if (ch != '\r') {
                b.write(ch);
            }
        }
        return ch < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    /** The answer is the case's 4xx, with a message in the route's error shape. */
    public static void assertRefused(Case c, Reply r) {
        if (r.status() != c.status() || r.status() < 400 || r.status() >= 500) {
            throw new AssertionError(c + ": answered " + r.status() + " " + r.body());
        }
        if (c.shape() == Shape.CONTAINER) {
            return;
        }
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (RuntimeException e) {
            throw new AssertionError(c + ": the answer is not JSON: " + r.body());
        }
        String message = switch (c.shape()) {
            case OPENAI -> json.path("error").path("message").asString("");
            case ANTHROPIC -> "error".equals(json.path("type").asString("")) ? json.path("error").path("message").asString("") : "";
            case ENVELOPE -> json.path("success").isBoolean() && !json.path("success").booleanValue()
                    ? json.path("message").asString("") : "";
            case CONTAINER -> "";
        };
        if (message.isBlank()) {
            throw new AssertionError(c + ": not in the " + c.shape() + " error shape (or no message): " + r.body());
        }
    }

    /** No table changed: waits {@link #SETTLE} for asynchronous writers, then compares every row. */
    public static void assertUnchanged(DataSource ds, TableSnapshot before, Case c, Set<String> ignored) {
        try {
            Thread.sleep(SETTLE); // nothing to poll for: the check is that nothing appears
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String diff = before.diff(TableSnapshot.take(ds, ignored));
        if (!diff.isEmpty()) {
            throw new AssertionError(c + ": changed the database:\n" + diff);
        }
    }

    /** Waits until {@code table} has at least {@code n} rows (a fixture's asynchronous writes are done). */
    public static void awaitRows(DataSource ds, String table, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (TableSnapshot.take(ds, Set.of()).count(table) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(table + " has fewer than " + n + " rows after 20 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    /**
     * Every route of a service's controllers as {@code METHOD /path} (a trailing slash dropped; a mapping without
     * methods as {@code ANY}), Spring's own error controller left out.
     */
    public static Set<String> routes(RequestMappingHandlerMapping mapping) {
        Set<String> out = new TreeSet<>();
        mapping.getHandlerMethods().forEach((info, handler) -> {
            if (handler.getBeanType().getName().startsWith("org.springframework.")) {
                return;
            }
            Set<String> methods = new TreeSet<>();
            info.getMethodsCondition().getMethods().forEach(m -> methods.add(m.name()));
            if (methods.isEmpty()) {
                methods.add("ANY");
            }
            for (String pattern : info.getPatternValues()) {
                String p = pattern.length() > 1 && pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
                methods.forEach(m -> out.add(m + " " + p));
            }
        });
        return out;
    }
}
