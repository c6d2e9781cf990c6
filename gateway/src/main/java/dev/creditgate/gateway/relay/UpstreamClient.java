package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import dev.creditgate.gateway.GatewayProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The one HTTP client to the upstream providers, HTTP/1.1 with keep-alive connection reuse. By default
 * ({@code gateway.upstream.client=direct}) {@link Http1Client}: blocking sockets on the relaying (virtual) thread.
 * Routes the JVM's proxy settings ({@link ProxySelector#getDefault()}) send through a proxy, and every route with
 * {@code gateway.upstream.client=jdk}, go through the JDK's {@link HttpClient} instead (its tasks on virtual threads,
 * bodies through {@link OrderedBodySubscriber}). Either way: a body is an {@link InputStream} that hands out every
 * byte received before an error, a read that waits longer than {@code gateway.upstream.idle-timeout} fails, and
 * closing it before its end closes the connection (the stream is not drained).
 */
@Component
public class UpstreamClient implements DisposableBean {

    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration idleTimeout;
    private final Http1Client direct;
    private final ConcurrentHashMap<Http1Client.Route, Boolean> proxied = new ConcurrentHashMap<>();
    private volatile HttpClient jdk;

    UpstreamClient(GatewayProperties properties) {
        GatewayProperties.Upstream p = properties.upstream();
        this.connectTimeout = p.connectTimeout();
        this.responseTimeout = p.responseTimeout();
        this.idleTimeout = p.idleTimeout();
        this.direct = p.client() == GatewayProperties.Upstream.Client.DIRECT
                ? new Http1Client(connectTimeout, idleTimeout, p.keepAlive()) : null;
    }

    /**
     * Sends a request; the answer's headers have arrived when this returns (within
     * {@code gateway.upstream.response-timeout}), the body is read and closed by the caller.
     */
    public HttpResponse<InputStream> send(UpstreamRequest request) throws IOException, InterruptedException {
        if (direct != null && !proxied(request.uri())) {
            return direct.send(request, responseTimeout);
        }
        return jdk().send(jdkRequest(request), info -> new OrderedBodySubscriber(idleTimeout));
    }

    @Override
    public void destroy() {
        if (direct != null) {
            direct.close();
        }
    }

    private boolean proxied(URI uri) {
        return proxied.computeIfAbsent(Http1Client.Route.of(uri), route -> {
            ProxySelector selector = ProxySelector.getDefault();
            if (selector == null) {
                return false;
            }
            List<Proxy> proxies = selector.select(uri);
            return proxies != null && !proxies.isEmpty() && proxies.getFirst().type() != Proxy.Type.DIRECT;
        });
    }

    private HttpRequest jdkRequest(UpstreamRequest request) {
        HttpRequest.Builder b = HttpRequest.newBuilder(request.uri()).timeout(responseTimeout);
        List<String> headers = request.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        return b.method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body())).build();
    }

    /** Built on first use: with the direct client only proxied routes need it. */
    private HttpClient jdk() {
        HttpClient c = jdk;
        if (c == null) {
            synchronized (this) {
                c = jdk;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            // Its own completion tasks on virtual threads, as the relay's requests: its default executor
                            // is a cached pool of platform threads, one more thread (and a hand-off) per exchange.
                            .executor(Executors.newThreadPerTaskExecutor(
                                    Thread.ofVirtual().name("upstream-http-", 0).factory()))
                            .connectTimeout(connectTimeout)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    jdk = c;
                }
            }
        }
        return c;
    }
}
