package dev.creditgate.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's startup configuration ({@code gateway.*}). Every limit is explicit; a bad value stops the start.
 *
 * @param adminToken        bearer token of the management API ({@code GATEWAY_ADMIN_TOKEN}); required, 32+ chars
 * @param maxBodySize       largest relay request body accepted; larger ones get 413
 * @param maxManagementBodySize largest management ({@code /api/**}) request body; larger ones get 413, and one
 *                          without a {@code Content-Length} 411, before anything reads it
 * @param tokenCacheTtl     how long a token lookup is cached; also the bound within which a token change made on
 *                          another instance takes effect here
 * @param cacheRefresh      how often channels and options are re-read from the database
 * @param upstream          the HTTP client to the upstream providers
 * @param logs              the asynchronous log writer
 */
@ConfigurationProperties("gateway")
public record GatewayProperties(
        String adminToken,
        @DefaultValue("8MB") DataSize maxBodySize,
        @DefaultValue("1MB") DataSize maxManagementBodySize,
        @DefaultValue("1s") Duration tokenCacheTtl,
        @DefaultValue("1s") Duration cacheRefresh,
        @DefaultValue Upstream upstream,
        @DefaultValue Logs logs) {

    public static final int MIN_ADMIN_TOKEN_LENGTH = 32;

    public GatewayProperties {
        if (adminToken == null || adminToken.isBlank()) {
            throw new IllegalArgumentException("gateway.admin-token (env GATEWAY_ADMIN_TOKEN) is not set: the gateway"
                    + " refuses to start without a management token of at least " + MIN_ADMIN_TOKEN_LENGTH + " characters");
        }
        if (adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("gateway.admin-token is " + adminToken.length()
                    + " characters long (expected: >= " + MIN_ADMIN_TOKEN_LENGTH + ")");
        }
        requirePositive("gateway.max-body-size", maxBodySize.toBytes());
        requirePositive("gateway.max-management-body-size", maxManagementBodySize.toBytes());
        requirePositive("gateway.token-cache-ttl", tokenCacheTtl.toMillis());
        requirePositive("gateway.cache-refresh", cacheRefresh.toMillis());
    }

    /**
     * @param connectTimeout  TCP connect deadline to an upstream
     * @param responseTimeout deadline for the upstream's response headers
     * @param idleTimeout     longest silence while reading an upstream body (a stalled stream is ended there)
     * @param maxAttempts     channels tried for one request (first try included); failover happens only on
     *                        connect errors, 429 and 5xx and only before any byte reached the client
     * @param client          {@code direct}: the gateway's blocking HTTP/1.1 client on the relaying thread (routes
     *                        that the JVM's proxy settings send through a proxy use the JDK client anyway);
     *                        {@code jdk}: the JDK's {@code java.net.http.HttpClient} for every route
     * @param keepAlive       how long an idle upstream connection is kept for reuse ({@code direct} client)
     */
    public record Upstream(
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("300s") Duration responseTimeout,
            @DefaultValue("120s") Duration idleTimeout,
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("direct") Client client,
            @DefaultValue("20s") Duration keepAlive) {
        public Upstream {
            requirePositive("gateway.upstream.connect-timeout", connectTimeout.toMillis());
            requirePositive("gateway.upstream.response-timeout", responseTimeout.toMillis());
            requirePositive("gateway.upstream.idle-timeout", idleTimeout.toMillis());
            requirePositive("gateway.upstream.max-attempts", maxAttempts);
            requirePositive("gateway.upstream.keep-alive", keepAlive.toMillis());
        }

        /** Which HTTP client calls the upstreams. */
        public enum Client { DIRECT, JDK }
    }

    /**
     * @param queueCapacity  log rows waiting for the writer; when full, new rows are dropped and counted
     *                       ({@code gateway.logs.dropped}) rather than slowing requests down
     * @param flushInterval  the writer flushes at least this often
     * @param batchSize      rows per INSERT batch
     */
    public record Logs(
            @DefaultValue("100000") int queueCapacity,
            @DefaultValue("100ms") Duration flushInterval,
            @DefaultValue("500") int batchSize) {
        public Logs {
            requirePositive("gateway.logs.queue-capacity", queueCapacity);
            requirePositive("gateway.logs.flush-interval", flushInterval.toMillis());
            requirePositive("gateway.logs.batch-size", batchSize);
        }
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    @Override
    public String toString() {
        return "GatewayProperties[adminToken=****, maxBodySize=" + maxBodySize
                + ", maxManagementBodySize=" + maxManagementBodySize + ", tokenCacheTtl=" + tokenCacheTtl
                + ", cacheRefresh=" + cacheRefresh + ", upstream=" + upstream + ", logs=" + logs + "]";
    }
}
