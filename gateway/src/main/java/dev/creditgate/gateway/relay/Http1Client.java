package dev.creditgate.gateway.relay;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A blocking HTTP/1.1 client over pooled keep-alive sockets, run on the calling (virtual) thread: the request is
 * written and the answer read by the thread that relays it, with no selector thread, executor or future between
 * them. (The JDK's {@link HttpClient} hands every exchange between its selector thread, its executor and the caller;
 * on the relay path that cost ~35 us of CPU and ~65 us of latency per request, measured in bench/ab-relay.sh.)
 *
 * <p>What it does: {@code http} and {@code https} (the JDK's default TLS context, hostname verification, SNI,
 * ALPN {@code http/1.1}); bodies framed by {@code Content-Length}, {@code chunked} or the connection's end;
 * a connect timeout; a response timeout from the write until the headers are in; an idle timeout between any
 * two reads of the body; a connection reused only after its body was read to its end, and never once the
 * server said {@code Connection: close} or after {@link #keepAlive} idle. A pooled connection that turns out
 * closed before any byte of the answer arrived is replaced once by a new one (the server had closed it while idle,
 * so it never saw the request). Closing a body before its end closes the connection (not drained). What it does
 * not: proxies, HTTP/2, redirects, {@code Expect: 100-continue}, content decoding ({@link UpstreamClient} keeps the
 * JDK client for proxied routes).
 */
final class Http1Client implements AutoCloseable {

    /** Read buffer of each connection: a held stream keeps its connection's for as long as it runs. */
    private static final int BUFFER = 8 * 1024;
    /** Requests up to this size are written with one write (one segment for a small request). */
    private static final int SINGLE_WRITE = 16 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_IDLE_PER_ROUTE = 256;

    /** Where connections go: scheme, host (without IPv6 brackets) and port. */
    record Route(boolean tls, String host, int port) {

        static Route of(URI uri) {
            String scheme = uri.getScheme();
            boolean tls = "https".equalsIgnoreCase(scheme);
            if (!tls && !"http".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("unsupported scheme: " + uri);
            }
            String host = uri.getHost();
            if (host == null) {
                throw new IllegalArgumentException("no host: " + uri);
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Route(tls, host, uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80);
        }
    }

    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final long keepAliveNanos;
    private final ConcurrentHashMap<Route, Pool> pools = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private volatile SSLSocketFactory tls;
    private volatile boolean closed;

    /**
     * @param keepAlive how long a connection may wait in the pool for its next request (servers close idle
     *                  connections after a while: 60 s for Tomcat, 75 s for nginx)
     */
    Http1Client(Duration connectTimeout, Duration idleTimeout, Duration keepAlive) {
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.keepAliveNanos = keepAlive.toNanos();
        this.sweeper = Thread.ofVirtual().name("upstream-pool-sweeper").start(this::sweep);
    }

    /** Closes expired idle connections even when no request comes to take them. */
    private void sweep() {
        long pause = Math.max(1, TimeUnit.NANOSECONDS.toMillis(keepAliveNanos) / 2);
        while (!closed) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pools.values().forEach(p -> p.evictExpired(keepAliveNanos));
        }
    }

    /**
     * Sends a request and reads the answer's headers (within {@code responseTimeout} of the write); the body is the
     * caller's to read and close.
     *
     * @throws HttpConnectTimeoutException past the connect timeout
     * @throws HttpTimeoutException        when the headers did not arrive within {@code responseTimeout}
     * @throws IOException                 on any other connection failure or a malformed answer
     */
    HttpResponse<InputStream> send(UpstreamRequest request, Duration responseTimeout) throws IOException {
        Route route = Route.of(request.uri());
        byte[] head = head(request, route);
        long deadline = System.nanoTime() + responseTimeout.toNanos();
        Pool pool = pools.computeIfAbsent(route, r -> new Pool());
        Connection pooled = pool.take(keepAliveNanos);
        if (pooled != null) {
            try {
                return exchange(pooled, pool, request, head, deadline, responseTimeout);
            } catch (StaleConnection e) {
                // closed by the server while idle, before it read the request: once more on a new connection
            }
        }
        Connection fresh = connect(route);
        try {
            return exchange(fresh, pool, request, head, deadline, responseTimeout);
        } catch (StaleConnection e) {
            throw e.cause;
        }
    }

    /** Closes the idle connections; bodies being read keep theirs until they end. */
    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
        pools.values().forEach(Pool::closeAll);
    }

    private HttpResponse<InputStream> exchange(Connection c, Pool pool, UpstreamRequest request, byte[] head,
                                               long deadline, Duration responseTimeout) throws IOException {
        boolean reused = c.requests > 0;
        c.requests++;
        try {
            OutputStream out = c.socket.getOutputStream();
            byte[] body = request.body();
            if (head.length + body.length <= SINGLE_WRITE) {
                byte[] all = new byte[head.length + body.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(body, 0, all, head.length, body.length);
                out.write(all);
            } else {
                out.write(head);
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            c.close();
            throw reused ? new StaleConnection(e) : e;
        }
        Head answer;
        try {
            answer = readHead(c, deadline, responseTimeout, reused);
        } catch (StaleConnection e) {
            c.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        Body body = Body.of(this, c, pool, answer, request.method());
        return new Answer(answer.status, answer.headers, body, request.uri());
    }

    /** Status line and headers; 1xx interim answers are skipped. */
    private Head readHead(Connection c, long deadline, Duration responseTimeout, boolean reused) throws IOException {
        while (true) {
            String status = c.readLine(deadline, responseTimeout, reused);
            reused = false; // a byte arrived: the server saw the request
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
                throw new IOException("malformed status line from the upstream: " + abbreviate(status));
            }
            int code;
            try {
                code = Integer.parseInt(status, 9, 12, 10);
            } catch (NumberFormatException e) {
                throw new IOException("malformed status line from the upstream: " + abbreviate(status));
            }
            boolean http10 = status.charAt(7) == '0';
            TreeMap<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String last = null;
            int bytes = status.length();
            while (true) {
                String line = c.readLine(deadline, responseTimeout, false);
                bytes += line.length() + 2;
                if (bytes > MAX_HEADER_BYTES) {
                    throw new IOException("upstream response headers larger than " + MAX_HEADER_BYTES + " bytes");
                }
                if (line.isEmpty()) {
                    break;
                }
                if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) { // obsolete line folding
                    List<String> values = headers.get(last);
                    values.set(values.size() - 1, values.getLast() + " " + line.strip());
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line from the upstream: " + abbreviate(line));
                }
                last = line.substring(0, colon).strip();
                headers.computeIfAbsent(last, k -> new ArrayList<>(1)).add(line.substring(colon + 1).strip());
            }
            if (code >= 100 && code < 200 && code != 101) {
                continue;
            }
            return new Head(code, http10, HttpHeaders.of(headers, (k, v) -> true));
        }
    }

    private record Head(int status, boolean http10, HttpHeaders headers) {}

    private Connection connect(Route route) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            try {
                socket.connect(new InetSocketAddress(route.host(), route.port()),
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
            } catch (SocketTimeoutException e) {
                throw new HttpConnectTimeoutException("HTTP connect timed out");
            }
            if (route.tls()) {
                SSLSocket ssl = (SSLSocket) tlsFactory().createSocket(socket, route.host(), route.port(), true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                params.setApplicationProtocols(new String[] {"http/1.1"});
                ssl.setSSLParameters(params);
                ssl.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
                try {
                    ssl.startHandshake();
                } catch (SocketTimeoutException e) {
                    throw new HttpConnectTimeoutException("TLS handshake timed out");
                }
                socket = ssl;
            }
            return new Connection(route, socket);
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            throw e;
        }
    }

    private SSLSocketFactory tlsFactory() throws IOException {
        SSLSocketFactory f = tls;
        if (f == null) {
            try {
                f = SSLContext.getDefault().getSocketFactory();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException("no default TLS context", e);
            }
            tls = f;
        }
        return f;
    }

    /** The request line and headers, ASCII. */
    private static byte[] head(UpstreamRequest request, Route route) {
        URI uri = request.uri();
        String path = uri.getRawPath();
        StringBuilder sb = new StringBuilder(256);
        sb.append(request.method()).append(' ').append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            sb.append('?').append(uri.getRawQuery());
        }
        sb.append(" HTTP/1.1\r\nHost: ");
        sb.append(route.host().indexOf(':') >= 0 ? "[" + route.host() + "]" : route.host());
        if (route.port() != (route.tls() ? 443 : 80)) {
            sb.append(':').append(route.port());
        }
        sb.append("\r\n");
        List<String> headers = request.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            sb.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        if (request.body().length > 0 || !"GET".equals(request.method())) {
            sb.append("Content-Length: ").append(request.body().length).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private void release(Pool pool, Connection c) {
        if (!pool.offer(c)) {
            c.close();
        }
    }

    /** A pooled connection that failed before any byte of its answer: the request never reached the server. */
    private static final class StaleConnection extends IOException {
        private final IOException cause;

        StaleConnection(IOException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    /** The idle connections of one route, most recently used first. */
    private static final class Pool {
        private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger size = new AtomicInteger();

        Connection take(long keepAliveNanos) {
            Connection c;
            while ((c = idle.pollFirst()) != null) {
                size.decrementAndGet();
                if (System.nanoTime() - c.idleSince < keepAliveNanos && !c.socket.isClosed()) {
                    return c;
                }
                c.close();
            }
            return null;
        }

        boolean offer(Connection c) {
            if (size.incrementAndGet() > MAX_IDLE_PER_ROUTE) {
                size.decrementAndGet();
                return false;
            }
            c.idleSince = System.nanoTime();
            idle.addFirst(c);
            return true;
        }

        /** Closes the connections idle for longer than {@code keepAliveNanos} (the oldest are last). */
        void evictExpired(long keepAliveNanos) {
            Connection c;
            while ((c = idle.peekLast()) != null && System.nanoTime() - c.idleSince >= keepAliveNanos) {
                if (idle.removeLastOccurrence(c)) {
                    size.decrementAndGet();
                    c.close();
                }
            }
        }

        void closeAll() {
            Connection c;
            while ((c = idle.pollFirst()) != null) {
                size.decrementAndGet();
                c.close();
            }
        }
    }

    /** One socket with its read buffer. Used by one exchange at a time. */
    private static final class Connection {
        final Route route;
        final Socket socket;
        final InputStream in;
        final byte[] buf = new byte[BUFFER];
        int pos;
        int lim;
        int requests;
        long idleSince;

        Connection(Route route, Socket socket) throws IOException {
            this.route = route;
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /**
         * Reads more bytes into the buffer (which must be empty), waiting at most {@code timeoutMillis}.
         *
         * @return the number read, or -1 at the end of the connection
         */
        int fill(int timeoutMillis) throws IOException {
            pos = 0;
            lim = 0;
            socket.setSoTimeout(timeoutMillis);
            int n = in.read(buf, 0, buf.length);
            if (n > 0) {
                lim = n;
            }
            return n;
        }

        /** One header line without its CRLF (or LF), read before {@code deadline}. */
        String readLine(long deadline, Duration responseTimeout, boolean staleIfNothing) throws IOException {
            StringBuilder line = null;
            while (true) {
                for (int i = pos; i < lim; i++) {
                    if (buf[i] == '\n') {
                        int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                        String part = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                        pos = i + 1;
                        if (line == null) {
                            return part;
                        }
                        line.append(part);
                        int n = line.length();
                        return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
                    }
                }
                if (lim > pos) {
                    if (line == null) {
                        line = new StringBuilder();
                    }
                    line.append(new String(buf, pos, lim - pos, StandardCharsets.ISO_8859_1));
                    if (line.length() > MAX_HEADER_BYTES) {
                        throw new IOException("upstream header line longer than " + MAX_HEADER_BYTES + " bytes");
                    }
                    staleIfNothing = false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new HttpTimeoutException("request timed out after " + responseTimeout
                            + " without the upstream's response headers (gateway.upstream.response-timeout)");
                }
                int n;
                try {
                    n = fill((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left) + 1)));
                } catch (SocketTimeoutException e) {
                    throw new HttpTimeoutException("request timed out after " + responseTimeout
                            + " without the upstream's response headers (gateway.upstream.response-timeout)");
                } catch (IOException e) {
                    throw staleIfNothing ? new StaleConnection(e) : e;
                }
                if (n < 0) {
                    EOFException eof = new EOFException("upstream closed the connection before its response headers");
                    throw staleIfNothing ? new StaleConnection(eof) : eof;
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }

    /**
     * An answer's body: {@code Content-Length}, chunked, or up to the end of the connection. Every byte received
     * before a failure is handed out first; the failure comes with the next read. At its end the connection goes
     * back to the pool (when the server keeps it open); closed before its end, the connection is closed.
     */
    private static final class Body extends InputStream {

        private static final long UNTIL_CLOSE = -1;

        private final Http1Client client;
        private final Connection c;
        private final Pool pool;
        private final boolean reusable;
        private final boolean chunked;
        private final int idleMillis;
        private long remaining; // in the body (fixed) or the current chunk; UNTIL_CLOSE
        private boolean chunkDataRead; // a chunk's data was read to its end, its CRLF not yet
        private boolean ended;
        private boolean released;
        private IOException failure;

        private Body(Http1Client client, Connection c, Pool pool, boolean reusable, boolean chunked, long length) {
            this.client = client;
            this.c = c;
            this.pool = pool;
            this.reusable = reusable;
            this.chunked = chunked;
            this.remaining = chunked ? 0 : length;
            this.idleMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, client.idleTimeout.toMillis()));
        }

        static Body of(Http1Client client, Connection c, Pool pool, Head head, String method) throws IOException {
            HttpHeaders h = head.headers();
            boolean close = h.allValues("Connection").stream().anyMatch(v -> containsToken(v, "close"))
                    || (head.http10() && h.allValues("Connection").stream().noneMatch(v -> containsToken(v, "keep-alive")));
            boolean noBody = "HEAD".equals(method) || head.status() == 204 || head.status() == 304;
            Optional<String> te = h.firstValue("Transfer-Encoding");
            Body body;
            if (noBody) {
                body = new Body(client, c, pool, !close, false, 0);
            } else if (te.isPresent() && containsToken(te.get(), "chunked")) {
                body = new Body(client, c, pool, !close, true, 0);
            } else if (h.firstValue("Content-Length").isPresent()) {
                long length;
                try {
                    length = Long.parseLong(h.firstValue("Content-Length").get().strip());
                } catch (NumberFormatException e) {
                    throw new IOException("malformed Content-Length from the upstream: "
                            + h.firstValue("Content-Length").get());
                }
                if (length < 0) {
                    throw new IOException("negative Content-Length from the upstream: " + length);
                }
                body = new Body(client, c, pool, !close, false, length);
            } else {
                body = new Body(client, c, pool, false, false, UNTIL_CLOSE);
            }
            if (!body.chunked && body.remaining == 0) {
                body.finish();
            }
            return body;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failure != null) {
                throw failure;
            }
            if (ended) {
                return -1;
            }
            if (released) {
                throw new IOException("upstream body closed");
            }
            if (len == 0) {
                return 0;
            }
            try {
                if (chunked && remaining == 0) {
                    if (chunkDataRead) {
                        chunkEnd(); // the CRLF after the last chunk's data, read only now: data is handed out first
                        chunkDataRead = false;
                    }
                    if (!nextChunk()) {
                        return -1;
                    }
                }
                if (c.pos >= c.lim && more() < 0) {
                    if (remaining == UNTIL_CLOSE) {
                        finish();
                        return -1;
                    }
                    throw new EOFException("upstream closed the connection " + (chunked ? "inside a chunk"
                            : "with " + remaining + " bytes of its body still to come"));
                }
                int n = c.lim - c.pos;
                if (remaining != UNTIL_CLOSE) {
                    n = (int) Math.min(n, remaining);
                }
                n = Math.min(n, len);
                System.arraycopy(c.buf, c.pos, b, off, n);
                c.pos += n;
                if (remaining != UNTIL_CLOSE) {
                    remaining -= n;
                    if (remaining == 0) {
                        if (chunked) {
                            chunkDataRead = true;
                        } else {
                            finish();
                        }
                    }
                }
                return n;
            } catch (IOException e) {
                failure = e;
                c.close();
                released = true;
                throw e;
            }
        }

        /** The next chunk's size line; false (and the body ended) at the last chunk and its trailers. */
        private boolean nextChunk() throws IOException {
            String line = line();
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size from the upstream: " + abbreviate(line));
            }
            if (size < 0) {
                throw new IOException("malformed chunk size from the upstream: " + abbreviate(line));
            }
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers: ignored
                }
                finish();
                return false;
            }
            remaining = size;
            return true;
        }

        /** The CRLF after a chunk's data. */
        private void chunkEnd() throws IOException {
            if (!line().isEmpty()) {
                throw new IOException("malformed chunk end from the upstream");
            }
        }

        /** A line of the chunk framing, waiting at most the idle timeout for each read. */
        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(8);
            while (true) {
                if (c.pos >= c.lim && more() < 0) {
                    throw new EOFException("upstream closed the connection inside its chunked body");
                }
                byte x = c.buf[c.pos++];
                if (x == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                if (sb.length() > 4096) {
                    throw new IOException("chunk framing line longer than 4096 bytes from the upstream");
                }
                sb.append((char) (x & 0xFF));
            }
        }

        private int more() throws IOException {
            try {
                return c.fill(idleMillis);
            } catch (SocketTimeoutException e) {
                throw new HttpTimeoutException("upstream sent nothing for " + client.idleTimeout
                        + " (gateway.upstream.idle-timeout)");
            }
        }

        /** The body is complete: the connection goes back to the pool, or is closed. */
        private void finish() {
            ended = true;
            if (released) {
                return;
            }
            released = true;
            if (reusable && c.pos >= c.lim) { // bytes beyond the body would be a confused server: not reused
                client.release(pool, c);
            } else {
                c.close();
            }
        }

        /** Before the end: closes the connection (not drained). */
        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            c.close();
        }

        private static boolean containsToken(String value, String token) {
            for (String part : value.split(",")) {
                if (part.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** An answer as the relay reads it. */
    private record Answer(int statusCode, HttpHeaders headers, InputStream body, URI uri)
            implements HttpResponse<InputStream> {

        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(uri).build();
        }

        @Override
        public Optional<HttpResponse<InputStream>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<javax.net.ssl.SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    /** For tests: the idle connections of a route. */
    int idleConnections(URI uri) {
        Pool p = pools.get(Route.of(uri));
        return p == null ? 0 : p.size.get();
    }
}
