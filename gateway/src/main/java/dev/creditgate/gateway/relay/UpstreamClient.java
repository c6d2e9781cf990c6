package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

import dev.creditgate.gateway.GatewayProperties;
import org.springframework.stereotype.Component;

/**
 * The one HTTP client to the upstream providers: JDK {@link HttpClient}, HTTP/1.1, keep-alive connection reuse,
 * its asynchronous tasks on virtual threads.
 * Bodies come back as an {@link InputStream} ({@link OrderedBodySubscriber}) so that streams are relayed as they
 * arrive, every received byte before an error; closing that stream before its end closes the connection (the
 * stream is not drained).
 */
@Component
public class UpstreamClient {

    private final HttpClient client;
    private final Duration responseTimeout;
    private final Duration idleTimeout;

    UpstreamClient(GatewayProperties properties) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                // The client's own completion tasks on virtual threads, as the relay's requests: its default executor
                // is a cached pool of platform threads, one more thread (and a hand-off) per concurrent exchange.
                .executor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("upstream-http-", 0).factory()))
                .connectTimeout(properties.upstream().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.responseTimeout = properties.upstream().responseTimeout();
        this.idleTimeout = properties.upstream().idleTimeout();
    }

    /** The deadline for an upstream's response headers ({@code gateway.upstream.response-timeout}). */
    public Duration responseTimeout() {
        return responseTimeout;
    }

    /** Sends a request; the answer's headers have arrived when this returns, the body is read by the caller. */
    public HttpResponse<InputStream> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, info -> new OrderedBodySubscriber(idleTimeout));
    }
}
