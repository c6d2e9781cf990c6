package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import dev.creditgate.gateway.GatewayProperties;
import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.Settled;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.channel.health.ChannelHealth;
import dev.creditgate.gateway.ratelimit.RateLimiter;
import dev.creditgate.gateway.ratelimit.RatePermit;
import dev.creditgate.gateway.token.TokenAuthenticator;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The relay request path, one step per class, composed here in order:
 * <ol>
 *   <li>take a place ({@link RelayBulkhead}): 503 {@code gateway_busy} when this instance relays its maximum;</li>
 *   <li>authenticate ({@link TokenAuthenticator}): key, status, expiry, quota flag, IP allow list;</li>
 *   <li>rate limits ({@link RateLimiter}): 429 over a per-token or per-user limit; the permit is closed in a
 *       finally;</li>
 *   <li>read the body ({@link RequestBodyReader}), check the model name (length, characters) and the model against
 *       the token's limits;</li>
 *   <li>choose channels ({@link ChannelSelector}): priority tiers, weighted random inside a tier;</li>
 *   <li>estimate + admit ({@link Admission}): may refuse; the returned {@link Admitted} is closed in a finally;</li>
 *   <li>relay ({@link WireRelay}) with failover on connect error / 429 / 5xx, only before any byte reached the
 *       client; a started stream is never retried;</li>
 *   <li>settle ({@link Admitted#settle}) when an upstream answered 2xx;</li>
 *   <li>record ({@link RequestRecorder}): a log row (type 2 consume or 5 error) and metrics.</li>
 * </ol>
 * Every answer carries the request id in {@code X-Request-Id} and new-api's {@code X-Oneapi-Request-Id}.
 */
@Component
public class RelayPipeline {

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String ONEAPI_REQUEST_ID = "X-Oneapi-Request-Id";
    private static final int MAX_ERROR_BODY = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(RelayPipeline.class);

    private final TokenAuthenticator authenticator;
    private final RateLimiter rateLimiter;
    private final RequestBodyReader bodyReader;
    private final ChannelSelector channels;
    private final Admission admission;
    private final UpstreamClient upstream;
    private final RequestRecorder recorder;
    private final MeterRegistry metrics;
    private final ChannelHealth health;
    private final RelayBulkhead bulkhead;
    private final int maxAttempts;
    private final java.time.Duration maxStreamDuration;
    private final ConcurrentHashMap<TimerKey, Timer> upstreamTimers = new ConcurrentHashMap<>();

    RelayPipeline(TokenAuthenticator authenticator, RateLimiter rateLimiter, RequestBodyReader bodyReader, ChannelSelector channels,
                  Admission admission, UpstreamClient upstream, RequestRecorder recorder, MeterRegistry metrics,
                  ChannelHealth health, GatewayProperties properties, RelayLimits limits, RelayBulkhead bulkhead) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.bodyReader = bodyReader;
        this.channels = channels;
        this.admission = admission;
        this.upstream = upstream;
        this.recorder = recorder;
        this.metrics = metrics;
        this.health = health;
        this.bulkhead = bulkhead;
        this.maxAttempts = properties.upstream().maxAttempts();
        this.maxStreamDuration = limits.maxStreamDuration();
    }

    /** Relays one request. Failures before the answer started are thrown as {@link GatewayException}. */
    public void handle(HttpServletRequest request, HttpServletResponse response, WireRelay relay) throws IOException {
        RelayExchange ex = new RelayExchange(newRequestId(), System.nanoTime(), relay.kind());
        ex.maxStreamDuration(maxStreamDuration);
        response.setHeader(REQUEST_ID, ex.requestId());
        response.setHeader(ONEAPI_REQUEST_ID, ex.requestId());
        try {
            bulkhead.enter();
        } catch (GatewayException e) {
            recorder.count(ex, e.error().status());
            throw e;
        }
        RatePermit permit = RatePermit.NONE;
        try {
            try {
                ex.auth(relay.authenticate(authenticator, request));
                permit = rateLimiter.acquire(ex.auth());
                bodyReader.read(request, ex);
                ex.model(bodyReader.checkModelName(relay.model(ex.body())), relay.isStream(ex.body()));
            } catch (GatewayException e) {
                recorder.count(ex, e.error().status());
                throw e; // not a relayed request yet: no log row
            }
            try {
                authenticator.checkModel(ex.auth(), ex.model());
                List<Channel> candidates = channels.candidates(ex.model(), relay.channelTypes(),
                        relay.fallbackChannelTypes(), maxAttempts);
                if (candidates.isEmpty()) {
                    throw new GatewayException(ErrorCode.MODEL_NOT_FOUND,
                            "no available channel for model " + ex.model(), "model");
                }
                try (Admitted admitted = admission.admit(ex.admissionRequest())) {
                    ex.outputLimit(admitted.outputLimit());
                    relayAndSettle(ex, relay, candidates, admitted, permit, response);
                }
            } catch (GatewayException e) {
                recorder.failed(ex, e.getMessage());
                recorder.count(ex, e.error().status());
                throw e;
            }
        } finally {
            permit.close();
            bulkhead.leave();
        }
    }

    private void relayAndSettle(RelayExchange ex, WireRelay relay, List<Channel> candidates, Admitted admitted,
                                RatePermit permit, HttpServletResponse response) throws IOException {
        String lastFailure = null;
        for (int i = 0; i < candidates.size(); i++) {
            Channel channel = candidates.get(i);
            boolean last = i == candidates.size() - 1;
            ex.channel(channel);
            HttpResponse<InputStream> answer;
            long t0 = System.nanoTime();
            try {
                answer = upstream.send(relay.request(ex, channel));
            } catch (IOException e) {
                timeUpstream(ex, channel, "error", t0);
                lastFailure = "channel " + channel.id() + ": " + describe(e);
                log.warn("request {}: {} (failing over: {})", ex.requestId(), lastFailure, !last);
                health.failed(channel, describe(e));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "interrupted while calling the upstream");
            }
            int status = answer.statusCode();
            timeUpstream(ex, channel, Integer.toString(status), t0);
            if (status >= 200 && status < 300) {
                UsageReport usage;
                try {
                    usage = relay.deliver(ex, answer, response);
                } catch (IOException e) { // nothing reached the client: another channel may still answer
                    lastFailure = "channel " + channel.id() + ": answer unreadable: " + describe(e);
                    log.warn("request {}: {} (failing over: {})", ex.requestId(), lastFailure, !last);
                    health.failed(channel, "answer unreadable: " + describe(e));
                    continue;
                } finally {
                    answer.body().close(); // no-op after a complete read; drops the connection otherwise
                }
                health.succeeded(channel);
                settleAndRecord(ex, admitted, usage, channel, response.getStatus(), permit);
                return;
            }
            if ((status == 429 || status >= 500) && !last) {
                answer.body().close(); // not drained: the connection is dropped
                if (ChannelHealth.countsAsFailure(status)) {
                    health.failed(channel, "HTTP " + status);
                }
                lastFailure = "channel " + channel.id() + ": HTTP " + status;
                log.warn("request {}: {} (failing over)", ex.requestId(), lastFailure);
                continue;
            }
            passThroughError(ex, relay, answer, response, channel);
            return;
        }
        throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "no upstream could be reached after "
                + candidates.size() + " attempt(s); last: " + lastFailure);
    }

    /**
     * Settles, counts the tokens toward the tokens-per-minute limits, then records: the tokens are counted before the
     * log row is queued, so a caller that sees the row knows that its next request meets the limit.
     */
    private void settleAndRecord(RelayExchange ex, Admitted admitted, UsageReport usage, Channel channel,
                                 int status, RatePermit permit) {
        Settled settled;
        String content = channel.upstreamModel(ex.model()).equals(ex.model()) ? ""
                : "upstream model " + channel.upstreamModel(ex.model());
        try {
            settled = admitted.settle(usage);
        } catch (RuntimeException e) {
            log.error("request {}: settlement failed", ex.requestId(), e);
            settled = Settled.NOTHING;
            content = "settlement failed: " + e;
        }
        if (ex.wasStreamCut()) {
            content = (content.isEmpty() ? "" : content + "; ") + "stream ended at gateway.relay.max-stream-duration "
                    + maxStreamDuration;
        }
        if (usage.clientDisconnected()) {
            content = (content.isEmpty() ? "" : content + "; ") + "client disconnected";
        }
        if (ex.outputLimit() != null) {
            content = (content.isEmpty() ? "" : content + "; ") + "output limit " + ex.outputLimit();
        }
        permit.succeeded(settled.tokens() != null
                ? (long) settled.tokens().promptTokens() + settled.tokens().completionTokens()
                : (long) nullToZero(usage.promptTokens()) + nullToZero(usage.completionTokens()));
        recorder.consumed(ex, usage, settled, content);
        recorder.count(ex, usage.clientDisconnected() ? 499 : status);
    }

    private static int nullToZero(Integer n) {
        return n == null ? 0 : n;
    }

    /** Upstream errors pass through with their status and body (bounded); no settlement, a type-5 log row. */
    private void passThroughError(RelayExchange ex, WireRelay relay, HttpResponse<InputStream> answer,
                                  HttpServletResponse response, Channel channel) throws IOException {
        byte[] upstreamBody;
        try (InputStream in = answer.body()) {
            upstreamBody = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            upstreamBody = new byte[0];
        }
        int status = answer.statusCode();
        if (ChannelHealth.countsAsFailure(status)) {
            health.failed(channel, "HTTP " + status); // not the body: an upstream may echo (part of) the key
        }
        byte[] body = relay.errorBody(ex, status, upstreamBody);
        response.setStatus(status);
        response.setContentType(body == upstreamBody
                ? answer.headers().firstValue("Content-Type").orElse("application/json") : "application/json");
        response.setContentLength(body.length);
        recorder.failed(ex, "upstream channel " + channel.id() + " answered HTTP " + status + ": "
                + summary(upstreamBody));
        recorder.count(ex, status);
        try {
            response.getOutputStream().write(body);
        } catch (IOException clientGone) {
            // nothing to do: the client left
        }
    }

    private void timeUpstream(RelayExchange ex, Channel channel, String outcome, long t0) {
        long elapsed = System.nanoTime() - t0;
        upstreamTimers.computeIfAbsent(new TimerKey(ex.endpoint(), channel.id(), outcome), k ->
                Timer.builder("gateway.upstream.latency")
                        .description("time to the upstream's response headers")
                        .tag("endpoint", k.endpoint().name().toLowerCase())
                        .tag("channel", Long.toString(k.channelId()))
                        .tag("outcome", k.outcome())
                        .register(metrics))
                .record(elapsed, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Meters are looked up once per tag set, not built and registered again on every request. */
    private record TimerKey(EndpointKind endpoint, long channelId, String outcome) {}

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String summary(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 500), StandardCharsets.UTF_8);
        return body.length > 500 ? s + "..." : s;
    }

    /** 32 hex characters: milliseconds then randomness, so ids sort roughly by time. */
    static String newRequestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(System.currentTimeMillis()).substring(4) + hex.toHexDigits(r.nextLong())
                + hex.toHexDigits((short) r.nextInt());
    }
}
