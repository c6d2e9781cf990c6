package dev.creditgate.gateway.credit;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.creditgate.contract.CreditApi;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway's client of the credit platform (SPEC 5; the seed's "LetAiCode client").
 *
 * <ul>
 *   <li>Settings are read from the supplier on every call: a new domain, token, timeout or retry count applies to
 *       the next call. Domain or token missing: {@link Unavailable} "credit platform not configured".</li>
 *   <li>Deadline: one whole call, retries included, takes at most {@code timeout} (plus scheduling noise). A retry
 *       (transport error or 5xx only; never 4xx) starts only after a short jittered backoff and only when enough of
 *       the budget is left; it gets what is left. A platform that never answers therefore costs one deadline.</li>
 *   <li>One Resilience4j circuit breaker per domain: it opens after {@link BreakerSettings#failureThreshold()}
 *       consecutive failed calls; while open, calls return {@link Unavailable} at once without network I/O; after
 *       {@link BreakerSettings#openWait()} one probe goes through and closes it on success.</li>
 *   <li>Business outcomes are values ({@link BalanceResult}, {@link HoldResult}, {@link SettleResult},
 *       {@link WebhookResult}); no exception escapes for I/O or platform failures.</li>
 *   <li>Amounts are {@link BigDecimal} end to end: JSON numbers are parsed exactly, USD amounts are sent as JSON
 *       strings ({@link BigDecimal#toPlainString()}).</li>
 *   <li>The admin token is sent as {@code X-API-Key} and never logged.</li>
 * </ul>
 * Thread-safe; one instance per gateway process. {@link #close()} releases the HTTP client.
 */
public final class CreditPlatformClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CreditPlatformClient.class);

    static final String HEADER_API_KEY = CreditApi.HEADER_API_KEY;
    static final String BALANCE_PATH = CreditApi.BALANCE_PATH;
    static final String UNAUTHORIZED = "unauthorized (check letaicode_admin_token)";

    /** Backoff before the retry: uniformly random in [MIN, MAX] ms. */
    static final long BACKOFF_MIN_MS = 10;
    static final long BACKOFF_MAX_MS = 50;
    /** A retry starts only if at least this much of the deadline is left after the backoff (or a quarter of it). */
    static final long MIN_RETRY_BUDGET_MS = 100;

    /** Operation names, as metric tags. */
    enum Op {
        BALANCE, HOLD, CAPTURE, RELEASE, EXTEND, WEBHOOK, LEASE, LEASE_SETTLE;

        final String tag = name().toLowerCase();
    }

    /** How an answer bears on the platform's health. */
    private enum Health {
        /** The platform answered (including business refusals): breaker success, the outage ends. */
        UP,
        /** Unparsable answer / {@code success:false} on 2xx: breaker failure, the outage goes on. */
        DOWN,
        /** 401/403/other 4xx on a call that should succeed: breaker untouched (the platform is up), outage goes on. */
        MISCONFIGURED
    }

    private record Interpreted<R>(R value, String failure, Health health, String outcome) {
        static <R> Interpreted<R> up(R value, String outcome) {
            return new Interpreted<>(value, null, Health.UP, outcome);
        }

        static <R> Interpreted<R> down(String failure) {
            return new Interpreted<>(null, failure, Health.DOWN, "failed");
        }

        static <R> Interpreted<R> misconfigured(String failure, String outcome) {
            return new Interpreted<>(null, failure, Health.MISCONFIGURED, outcome);
        }
    }

    @FunctionalInterface
    private interface Interpreter<R> {
        /** {@code body} is null when the answer is not JSON. */
        Interpreted<R> interpret(int status, JsonNode body, CreditPlatformSettings settings);
    }

    /** One HTTP exchange: an answer, or a transport failure. */
    private record Exchange(int status, byte[] body, String failure) {
        static Exchange failed(String failure) {
            return new Exchange(0, null, failure);
        }
    }

    /** A circuit breaker for one domain plus what its messages need. */
    private final class DomainBreaker {
        final String domain;
        final CircuitBreaker breaker;
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        volatile long openedAtMillis;
        volatile int failuresAtOpen;

        DomainBreaker(String domain) {
            this.domain = domain;
            int n = breakerSettings.failureThreshold();
            CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(n)
                    .minimumNumberOfCalls(n)
                    .failureRateThreshold(100f) // n failures out of the last n calls = n consecutive failures
                    .slowCallRateThreshold(100f)
                    .slowCallDurationThreshold(Duration.ofDays(1))
                    .waitDurationInOpenState(breakerSettings.openWait())
                    .permittedNumberOfCallsInHalfOpenState(1)
                    .automaticTransitionFromOpenToHalfOpenEnabled(false)
                    .recordExceptions(Throwable.class)
                    .clock(clock)
                    .build();
            this.breaker = CircuitBreaker.of("credit-platform", config);
            breaker.getEventPublisher().onStateTransition(e -> {
                CircuitBreaker.State to = e.getStateTransition().getToState();
                if (to == CircuitBreaker.State.OPEN) {
                    openedAtMillis = clock.millis();
                    failuresAtOpen = consecutiveFailures.get();
                    log.warn("credit platform breaker open for {} after {} consecutive failures; next probe in {} ms",
                            domain, failuresAtOpen, breakerSettings.openWait().toMillis());
                } else if (to == CircuitBreaker.State.CLOSED) {
                    log.info("credit platform breaker closed for {}: the platform answers again", domain);
                } else if (to == CircuitBreaker.State.HALF_OPEN) {
                    log.info("credit platform breaker half-open for {}: probing", domain);
                }
            });
        }

        void success(long nanos) {
            consecutiveFailures.set(0);
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }

        void failure(long nanos, String why) {
            consecutiveFailures.incrementAndGet();
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new PlatformFailure(why));
        }

        String stateText() {
            return switch (breaker.getState()) {
                case OPEN, FORCED_OPEN -> "breaker open after " + failuresAtOpen + " failures";
                case HALF_OPEN -> "breaker half-open";
                default -> "breaker closed, " + consecutiveFailures.get() + " consecutive failures";
            };
        }

        /** Why a call was not permitted. */
        String refusalText() {
            if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
                return "credit platform unavailable (breaker half-open after " + failuresAtOpen
                        + " failures, a probe is in flight)";
            }
            long openFor = Math.max(0, clock.millis() - openedAtMillis);
            long nextProbe = Math.max(0, breakerSettings.openWait().toMillis() - openFor);
            return "credit platform unavailable (breaker open for " + seconds(openFor) + " after " + failuresAtOpen
                    + " failures, next probe in " + seconds(nextProbe) + ")";
        }
    }

    /** Marks a failed call in the breaker; never thrown. */
    private static final class PlatformFailure extends RuntimeException {
        PlatformFailure(String message) {
            super(message, null, false, false);
        }
    }

    private final Supplier<CreditPlatformSettings> settings;
    private final MeterRegistry registry;
    private final LastKnownBalances lastKnown;
    private final BreakerSettings breakerSettings;
    private final Clock clock;
    private final ExecutorService executor;
    private final HttpClient http;
    private final JsonMapper json;
    private final ConcurrentHashMap<String, DomainBreaker> breakers = new ConcurrentHashMap<>();
    private volatile DomainBreaker lastBreaker;
    private final AtomicLong outageSeq = new AtomicLong();
    private final AtomicLong currentOutage = new AtomicLong();
    private final AtomicBoolean unauthorized = new AtomicBoolean();
    private final RateLimitedLog failureLog;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Op, Counter> retryCounters = new ConcurrentHashMap<>();

    public CreditPlatformClient(Supplier<CreditPlatformSettings> settings, MeterRegistry registry) {
        this(settings, registry, new LastKnownBalances(), BreakerSettings.DEFAULTS, Clock.systemUTC());
    }

    /**
     * @param settings        read on every call
     * @param registry        metrics: {@code creditgate.credit.platform.calls} (timer: operation, outcome),
     *                        {@code creditgate.credit.platform.retries} (counter: operation),
     *                        {@code creditgate.credit.platform.breaker.state} (gauge: 0 closed, 1 open, 2 half-open),
     *                        {@code creditgate.credit.platform.breaker.failures} (gauge: consecutive failures)
     * @param lastKnown       updated with every balance and hold answer
     * @param breakerSettings the breaker's threshold and wait
     * @param clock           the breaker's clock (open wait, "open for" in reasons)
     */
    public CreditPlatformClient(Supplier<CreditPlatformSettings> settings, MeterRegistry registry,
                                LastKnownBalances lastKnown, BreakerSettings breakerSettings, Clock clock) {
        this.settings = Objects.requireNonNull(settings);
        this.registry = Objects.requireNonNull(registry);
        this.lastKnown = Objects.requireNonNull(lastKnown);
        this.breakerSettings = Objects.requireNonNull(breakerSettings);
        this.clock = Objects.requireNonNull(clock);
        this.executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("credit-platform-http-", 0).factory());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
        this.json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
        this.failureLog = new RateLimitedLog(log, clock, Duration.ofSeconds(10));
        Gauge.builder("creditgate.credit.platform.breaker.state", this, CreditPlatformClient::breakerStateCode)
                .description("credit platform circuit breaker: 0 closed, 1 open, 2 half-open")
                .register(registry);
        Gauge.builder("creditgate.credit.platform.breaker.failures", this,
                        c -> c.lastBreaker == null ? 0 : c.lastBreaker.consecutiveFailures.get())
                .description("consecutive failed calls to the credit platform")
                .register(registry);
    }

    // ------------------------------------------------------------------------------------------ operations

    /** {@code GET {domain}/api/credits/balance/{keyId}}. */
    public BalanceResult balance(String remoteKeyId) {
        Objects.requireNonNull(remoteKeyId, "remoteKeyId");
        BalanceResult r = execute(Op.BALANCE, "GET", BALANCE_PATH + segment(remoteKeyId), null, null,
                (status, body, s) -> interpretBalance(remoteKeyId, status, body, s), u -> u);
        if (r instanceof BalanceResult.Balance b) {
            lastKnown.update(remoteKeyId, b.credit(), b.creditsPerUsd(), b.creditsPerUsd());
            if (log.isDebugEnabled()) {
                log.debug("got credit from credit platform: keyId={}, credit={}", remoteKeyId,
                        b.credit().toPlainString());
            }
        }
        return r;
    }

    /**
     * {@code POST {domain}/api/credits/holds} {@code {keyId, requestId, amountUsd, ttlSeconds, model}}. The same
     * {@code requestId} returns the same hold, so the retry is safe.
     */
    public HoldResult createHold(String keyId, String requestId, BigDecimal amountUsd, long ttlSeconds, String model) {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(amountUsd, "amountUsd");
        ObjectNode body = json.createObjectNode()
                .put("keyId", keyId)
                .put("requestId", requestId)
                .put("amountUsd", amountUsd.toPlainString())
                .put("ttlSeconds", ttlSeconds);
        if (model != null) {
            body.put("model", model);
        }
        HoldResult r = execute(Op.HOLD, "POST", CreditApi.HOLDS_PATH, json.writeValueAsBytes(body), null,
                (status, b, s) -> interpretHold(keyId, status, b), u -> u);
        BigDecimal rate = currentRate();
        if (r instanceof HoldResult.Granted g) {
            lastKnown.update(keyId, g.available(), null, rate);
        } else if (r instanceof HoldResult.Refused f) {
            lastKnown.update(keyId, f.available(), null, rate);
        }
        return r;
    }

    /**
     * {@code POST {domain}/api/credits/holds/{holdId}/capture} {@code {costUsd, eventId, usage}}; idempotent on
     * {@code eventId}, so the retry is safe. {@code costUsd} may exceed the hold (the platform records the debt).
     */
    public SettleResult capture(String holdId, BigDecimal costUsd, String eventId, Usage usage) {
        Objects.requireNonNull(holdId, "holdId");
        Objects.requireNonNull(costUsd, "costUsd");
        Objects.requireNonNull(eventId, "eventId");
        ObjectNode body = json.createObjectNode()
                .put("costUsd", costUsd.toPlainString())
                .put("eventId", eventId);
        if (usage != null) {
            body.putObject("usage")
                    .put("model", usage.model())
                    .put("promptTokens", usage.promptTokens())
                    .put("completionTokens", usage.completionTokens())
                    .put("totalTokens", usage.totalTokens());
        }
        return execute(Op.CAPTURE, "POST", CreditApi.capturePath(segment(holdId)),
                json.writeValueAsBytes(body), null, (status, b, s) -> interpretSettle(holdId, status, b), u -> u);
    }

    /** {@code POST {domain}/api/credits/holds/{holdId}/release}; idempotent. */
    public SettleResult release(String holdId) {
        Objects.requireNonNull(holdId, "holdId");
        return execute(Op.RELEASE, "POST", CreditApi.releasePath(segment(holdId)),
                "{}".getBytes(StandardCharsets.UTF_8), null, (status, b, s) -> interpretSettle(holdId, status, b),
                u -> u);
    }

    /**
     * {@code POST {domain}/api/credits/holds/{holdId}/extend} {@code {ttlSeconds}}: the pending hold then expires
     * {@code ttlSeconds} from now (on the platform's clock), for a stream that outlives its hold's TTL. Idempotent
     * (the platform never moves an expiry earlier), so the retry is safe. Answers {@link SettleResult.Settled} with
     * outcome {@code EXTENDED}; {@link SettleResult.Rejected} 409 when the hold can no longer be extended (outcome
     * {@code EXPIRED}, {@code ALREADY_CAPTURED} or {@code RELEASED}), 404 unknown hold, 400 a TTL above the
     * platform's maximum; or {@link Unavailable}.
     *
     * @param ttlSeconds seconds from now, >= 1 (the platform accepts up to its {@code credits.holds.max-ttl})
     */
    public SettleResult extendHold(String holdId, long ttlSeconds) {
        Objects.requireNonNull(holdId, "holdId");
        if (ttlSeconds < 1) {
            throw new IllegalArgumentException("ttlSeconds: " + ttlSeconds + " (expected: >= 1)");
        }
        ObjectNode body = json.createObjectNode().put("ttlSeconds", ttlSeconds);
        return execute(Op.EXTEND, "POST", CreditApi.extendPath(segment(holdId)), json.writeValueAsBytes(body), null,
                (status, b, s) -> interpretSettle(holdId, status, b), u -> u);
    }

    /**
     * {@code POST {domain}/api/credits/leases} {@code {keyId, owner, amountUsd, minUsd, ttlSeconds}}: opens this
     * instance's lease of the key's user, or answers the one it already has (so the retry is safe).
     */
    public LeaseResult openLease(String keyId, String owner, BigDecimal amountUsd, BigDecimal minUsd, long ttlSeconds) {
        Objects.requireNonNull(keyId, "keyId");
        ObjectNode body = json.createObjectNode()
                .put("keyId", keyId)
                .put("owner", owner)
                .put("amountUsd", amountUsd.toPlainString())
                .put("minUsd", minUsd.toPlainString())
                .put("ttlSeconds", ttlSeconds);
        return execute(Op.LEASE, "POST", CreditApi.LEASES_PATH, json.writeValueAsBytes(body), null,
                (status, b, s) -> interpretLease(keyId, status, b), u -> u);
    }

    /**
     * {@code POST .../leases/{leaseId}/refresh}: resizes the lease towards {@code amountUsd}, never below
     * {@code inUseUsd}, and moves its expiry {@code ttlSeconds} from now; names the {@code keyIds} no longer active.
     * A repeat of the same call asks for the same size: safe to retry.
     */
    public LeaseResult refreshLease(String leaseId, BigDecimal amountUsd, BigDecimal minUsd, BigDecimal inUseUsd,
                                    long ttlSeconds, List<String> keyIds) {
        ObjectNode body = json.createObjectNode()
                .put("amountUsd", amountUsd.toPlainString())
                .put("minUsd", minUsd.toPlainString())
                .put("inUseUsd", inUseUsd.toPlainString())
                .put("ttlSeconds", ttlSeconds);
        var keys = body.putArray("keyIds");
        keyIds.forEach(keys::add);
        return execute(Op.LEASE, "POST", CreditApi.leaseRefreshPath(segment(leaseId)), json.writeValueAsBytes(body),
                null, (status, b, s) -> interpretLease(leaseId, status, b), u -> u);
    }

    /** One request's actual usage for {@link #settleLease}. */
    public record LeaseCharge(String eventId, String keyId, BigDecimal costUsd, Usage usage, long cacheReadTokens,
                              long cacheWriteTokens) {
    }

    /**
     * {@code POST .../leases/{leaseId}/settle} {@code {events:[...]}}: charges each event once by its event id (a
     * repeat answers {@code DUPLICATE_EVENT} for each), so the retry is safe.
     */
    public LeaseResult settleLease(String leaseId, List<LeaseCharge> charges) {
        ObjectNode body = json.createObjectNode();
        var events = body.putArray("events");
        for (LeaseCharge c : charges) {
            ObjectNode e = events.addObject()
                    .put("eventId", c.eventId())
                    .put("keyId", c.keyId())
                    .put("costUsd", c.costUsd().toPlainString());
            Usage u = c.usage();
            if (u != null) {
                if (u.model() != null) {
                    e.put("model", u.model());
                }
                e.put("promptTokens", u.promptTokens()).put("completionTokens", u.completionTokens())
                        .put("totalTokens", u.totalTokens());
            }
            if (c.cacheReadTokens() > 0) {
                e.put("cacheReadTokens", c.cacheReadTokens());
            }
            if (c.cacheWriteTokens() > 0) {
                e.put("cacheWriteTokens", c.cacheWriteTokens());
            }
        }
        return execute(Op.LEASE_SETTLE, "POST", CreditApi.leaseSettlePath(segment(leaseId)),
                json.writeValueAsBytes(body), null, (status, b, s) -> interpretLease(leaseId, status, b), u -> u);
    }

    /** {@code POST .../leases/{leaseId}/release}: gives the unspent rest back; idempotent. */
    public LeaseResult releaseLease(String leaseId) {
        return execute(Op.LEASE, "POST", CreditApi.leaseReleasePath(segment(leaseId)),
                "{}".getBytes(StandardCharsets.UTF_8), null, (status, b, s) -> interpretLease(leaseId, status, b),
                u -> u);
    }

    /**
     * Posts one usage webhook ({@code body} and signature headers are built by the caller). One attempt within the
     * deadline, no breaker (the outbox that calls this owns retries and backoff; the webhook URL may be another
     * host). {@code Content-Type: application/json} is added unless given.
     */
    public WebhookResult postWebhook(String url, byte[] body, Map<String, String> headers) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(body, "body");
        long start = System.nanoTime();
        CreditPlatformSettings s;
        try {
            s = Objects.requireNonNull(settings.get(), "settings");
        } catch (RuntimeException e) {
            return webhookFailed(start, 0, "credit platform settings invalid: " + e.getMessage());
        }
        URI uri;
        try {
            uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                return webhookFailed(start, 0, "webhook url is not an http(s) URL: " + url);
            }
        } catch (IllegalArgumentException e) {
            return webhookFailed(start, 0, "webhook url is not an http(s) URL: " + url);
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        boolean contentType = false;
        try {
            if (headers != null) {
                for (Map.Entry<String, String> h : headers.entrySet()) {
                    rb.header(h.getKey(), h.getValue());
                    contentType |= h.getKey().equalsIgnoreCase("Content-Type");
                }
            }
        } catch (IllegalArgumentException e) {
            return webhookFailed(start, 0, "webhook header refused: " + e.getMessage());
        }
        if (!contentType) {
            rb.header("Content-Type", "application/json");
        }
        Exchange ex;
        try {
            ex = send(rb, s.timeout().toNanos(), s.timeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return webhookFailed(start, 0, "interrupted");
        }
        if (ex.failure() != null) {
            return webhookFailed(start, 0, ex.failure());
        }
        if (ex.status() < 200 || ex.status() > 299) {
            return webhookFailed(start, ex.status(), "HTTP " + ex.status() + messageOf(parse(ex.body())));
        }
        JsonNode answer = parse(ex.body());
        if (answer != null && answer.isObject() && answer.path("success").isBoolean()
                && !answer.path("success").asBoolean()) {
            return webhookFailed(start, ex.status(), "HTTP " + ex.status() + " with success:false"
                    + messageOf(answer));
        }
        timer(Op.WEBHOOK, "ok").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return new WebhookResult.Delivered(ex.status());
    }

    /** The current state of the breaker of the configured domain ({@code CLOSED} before any call). */
    public CircuitBreaker.State breakerState() {
        DomainBreaker b = currentBreaker();
        return b == null ? CircuitBreaker.State.CLOSED : b.breaker.getState();
    }

    /** Milliseconds until the open breaker lets a probe through; 0 when it is not open. */
    public long breakerNextProbeMillis() {
        DomainBreaker b = currentBreaker();
        if (b == null || b.breaker.getState() != CircuitBreaker.State.OPEN) {
            return 0;
        }
        return Math.max(0, breakerSettings.openWait().toMillis() - (clock.millis() - b.openedAtMillis));
    }

    /** The current outage id, or 0 when the last call got an answer. */
    public long currentOutageId() {
        return currentOutage.get();
    }

    /** The last-known-balance cache this client feeds. */
    public LastKnownBalances lastKnownBalances() {
        return lastKnown;
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------ interpretation

    private Interpreted<BalanceResult> interpretBalance(String keyId, int status, JsonNode body,
                                                        CreditPlatformSettings s) {
        if (status == 200) {
            if (body == null || !body.isObject()) {
                return Interpreted.down("unparsable balance answer (not a JSON object)");
            }
            if (!body.path("success").asBoolean(false)) {
                return Interpreted.down("credit platform error" + messageOf(body));
            }
            BigDecimal credit;
            BigDecimal held;
            BigDecimal rate;
            try {
                credit = decimal(body, "credit");
                held = decimal(body, "held");
                rate = decimal(body, "creditsPerUsd");
            } catch (NumberFormatException e) {
                return Interpreted.down("unparsable balance answer: " + e.getMessage());
            }
            if (credit == null) {
                return Interpreted.down("unparsable balance answer: no credit");
            }
            if (rate != null && rate.signum() <= 0) {
                return Interpreted.down("unparsable balance answer: creditsPerUsd " + rate.toPlainString());
            }
            return Interpreted.up(new BalanceResult.Balance(keyId, credit, held == null ? BigDecimal.ZERO : held,
                    rate == null ? s.creditsPerUsd() : rate, text(body, "userId"), text(body, "remoteKeyId"),
                    text(body, "timestamp")), "ok");
        }
        if (status == 404) {
            return Interpreted.up(new NotFound(keyId, body == null ? null : text(body, "message")), "not_found");
        }
        return clientError(status, body);
    }

    private Interpreted<HoldResult> interpretHold(String keyId, int status, JsonNode body) {
        if (status == 200 || status == 201) {
            if (body == null || !body.isObject()) {
                return Interpreted.down("unparsable hold answer (not a JSON object)");
            }
            if (!body.path("success").asBoolean(false)) {
                return Interpreted.down("credit platform error" + messageOf(body));
            }
            String holdId = text(body, "holdId");
            if (holdId == null || holdId.isEmpty()) {
                return Interpreted.down("unparsable hold answer: no holdId");
            }
            try {
                return Interpreted.up(new HoldResult.Granted(holdId, decimal(body, "amount"),
                        decimal(body, "available"), instant(body, "expiresAt")), "ok");
            } catch (NumberFormatException | DateTimeParseException e) {
                return Interpreted.down("unparsable hold answer: " + e.getMessage());
            }
        }
        if (status == 402) {
            try {
                return Interpreted.up(new HoldResult.Refused(body == null ? null : decimal(body, "available"),
                        body == null ? null : decimal(body, "needed")), "refused");
            } catch (NumberFormatException e) {
                return Interpreted.up(new HoldResult.Refused(null, null), "refused");
            }
        }
        if (status == 404 || (status == 403 && keyDisabled(body))) {
            return Interpreted.up(new NotFound(keyId, body == null ? null : text(body, "message")), "not_found");
        }
        if (status == 429) { // a business answer of an answering platform, not an outage
            return Interpreted.up(new HoldResult.TooManyHolds(body == null ? null : text(body, "message")),
                    "too_many_holds");
        }
        return clientError(status, body);
    }

    private Interpreted<LeaseResult> interpretLease(String id, int status, JsonNode body) {
        if (status == 200 || status == 201) {
            if (body == null || !body.isObject()) {
                return Interpreted.down("unparsable lease answer (not a JSON object)");
            }
            if (!body.path("success").asBoolean(false)) {
                return Interpreted.down("credit platform error" + messageOf(body));
            }
            String leaseId = text(body, "leaseId");
            BigDecimal amount;
            try {
                amount = decimal(body, "amount");
            } catch (NumberFormatException e) {
                return Interpreted.down("unparsable lease answer: " + e.getMessage());
            }
            if (leaseId == null || leaseId.isEmpty() || amount == null || amount.signum() < 0) {
                return Interpreted.down("unparsable lease answer: no leaseId or amount");
            }
            try {
                List<String> disabled = new ArrayList<>();
                body.path("disabledKeys").forEach(k -> disabled.add(k.asString()));
                List<LeaseResult.EventOutcome> results = new ArrayList<>();
                body.path("results").forEach(r -> results.add(new LeaseResult.EventOutcome(text(r, "eventId"),
                        text(r, "outcome"))));
                return Interpreted.up(new LeaseResult.Leased(leaseId, text(body, "userId"), text(body, "status"),
                        amount, decimal(body, "spent"), decimal(body, "available"), decimal(body, "creditsPerUsd"),
                        instant(body, "expiresAt"), body.path("recalled").asBoolean(false), List.copyOf(disabled),
                        List.copyOf(results)), "ok");
            } catch (NumberFormatException | DateTimeParseException e) {
                return Interpreted.down("unparsable lease answer: " + e.getMessage());
            }
        }
        if (status == 402) {
            try {
                return Interpreted.up(new LeaseResult.Refused(body == null ? null : decimal(body, "available"),
                        body == null ? null : decimal(body, "needed")), "refused");
            } catch (NumberFormatException e) {
                return Interpreted.up(new LeaseResult.Refused(null, null), "refused");
            }
        }
        if (status == 404 || (status == 403 && keyDisabled(body))) {
            return Interpreted.up(new NotFound(id, body == null ? null : text(body, "message")), "not_found");
        }
        if (status == 409) {
            return Interpreted.up(new LeaseResult.Gone(id, body == null ? null : text(body, "status")), "gone");
        }
        if (status == 400) {
            return Interpreted.up(new LeaseResult.Rejected(status, body == null ? null : text(body, "code"),
                    body == null ? null : text(body, "message")), "rejected");
        }
        return clientError(status, body);
    }

    /** A 403 that is the platform's business answer for a disabled key (not a token without the scope). */
    private static boolean keyDisabled(JsonNode body) {
        return body != null && "key_disabled".equals(text(body, "code"));
    }

    private Interpreted<SettleResult> interpretSettle(String holdId, int status, JsonNode body) {
        if (status >= 200 && status <= 299) {
            if (body == null || !body.isObject()) {
                return Interpreted.down("unparsable settle answer (not a JSON object)");
            }
            if (!body.path("success").asBoolean(false)) {
                return Interpreted.down("credit platform error" + messageOf(body));
            }
            try {
                return Interpreted.up(new SettleResult.Settled(holdId, text(body, "outcome"),
                        decimal(body, "available"), decimal(body, "debt")), "ok");
            } catch (NumberFormatException e) {
                return Interpreted.down("unparsable settle answer: " + e.getMessage());
            }
        }
        if (status == 401 || status == 403) {
            return clientError(status, body);
        }
        // 400, 404 (unknown hold), 409 (conflicting outcome), 410...: a business answer
        return Interpreted.up(new SettleResult.Rejected(status, body == null ? null : text(body, "code"),
                body == null ? null : text(body, "outcome"), body == null ? null : text(body, "message")),
                "rejected");
    }

    private static <R> Interpreted<R> clientError(int status, JsonNode body) {
        if (status == 401) {
            return Interpreted.misconfigured(UNAUTHORIZED, "unauthorized");
        }
        if (status == 403) {
            return Interpreted.misconfigured("forbidden (letaicode_admin_token lacks the scope for this call)"
                    + messageOf(body), "unauthorized");
        }
        if (status >= 400 && status <= 499) {
            return Interpreted.misconfigured("request rejected with HTTP " + status + messageOf(body), "rejected");
        }
        return Interpreted.down("unexpected HTTP " + status + messageOf(body));
    }

    // ------------------------------------------------------------------------------------------ execution

    private <R> R execute(Op op, String method, String path, byte[] body, Map<String, String> headers,
                          Interpreter<R> interpreter, Function<Unavailable, R> unavailable) {
        long start = System.nanoTime();
        CreditPlatformSettings s;
        try {
            s = Objects.requireNonNull(settings.get(), "settings");
        } catch (RuntimeException e) {
            return unavailable.apply(fail(op, start, "credit platform settings invalid: " + e.getMessage(),
                    "not_configured"));
        }
        if (!s.configured()) {
            return unavailable.apply(fail(op, start, "credit platform not configured (" + s.missing() + " missing)",
                    "not_configured"));
        }
        DomainBreaker b = breakerFor(s.domain());
        if (!b.breaker.tryAcquirePermission()) {
            return unavailable.apply(fail(op, start, b.refusalText(), "short_circuited"));
        }
        URI uri = URI.create(s.domain() + path);
        long deadline = start + s.timeout().toNanos();
        int attempt = 0;
        String lastFailure;
        try {
            while (true) {
                attempt++;
                HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                        .header(HEADER_API_KEY, s.adminToken())
                        .header("Accept", "application/json");
                if (body != null) {
                    rb.header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
                } else {
                    rb.method(method, HttpRequest.BodyPublishers.noBody());
                }
                Exchange ex = send(rb, deadline - System.nanoTime(), s.timeout());
                if (ex.failure() == null && ex.status() < 500) {
                    Interpreted<R> in = interpreter.interpret(ex.status(), parse(ex.body()), s);
                    long elapsed = System.nanoTime() - start;
                    switch (in.health()) {
                        case UP -> {
                            b.success(elapsed);
                            answered();
                            timer(op, in.outcome()).record(elapsed, TimeUnit.NANOSECONDS);
                            return in.value();
                        }
                        case MISCONFIGURED -> {
                            b.breaker.releasePermission();
                            if (ex.status() == 401 && unauthorized.compareAndSet(false, true)) {
                                log.warn("credit platform {} answered 401: {}", s.domain(), UNAUTHORIZED);
                            }
                            return unavailable.apply(fail(op, start, "credit platform " + in.failure(),
                                    in.outcome()));
                        }
                        case DOWN -> {
                            b.failure(elapsed, in.failure());
                            return unavailable.apply(fail(op, start, "credit platform unavailable: " + in.failure()
                                    + " (" + b.stateText() + ")", "failed"));
                        }
                    }
                }
                lastFailure = ex.failure() != null ? ex.failure() : "HTTP " + ex.status() + messageOf(parse(ex.body()));
                if (attempt <= s.retries()) {
                    long backoffNanos = TimeUnit.MILLISECONDS.toNanos(
                            ThreadLocalRandom.current().nextLong(BACKOFF_MIN_MS, BACKOFF_MAX_MS + 1));
                    long leftAfterBackoff = deadline - System.nanoTime() - backoffNanos;
                    long minBudget = Math.min(TimeUnit.MILLISECONDS.toNanos(MIN_RETRY_BUDGET_MS),
                            s.timeout().toNanos() / 4);
                    if (leftAfterBackoff >= minBudget) {
                        retryCounter(op).increment();
                        log.debug("credit platform {} failed ({}), retrying in {} ms", op.tag, lastFailure,
                                TimeUnit.NANOSECONDS.toMillis(backoffNanos));
                        TimeUnit.NANOSECONDS.sleep(backoffNanos);
                        continue;
                    }
                }
                break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            b.breaker.releasePermission();
            return unavailable.apply(fail(op, start, "credit platform call interrupted", "failed"));
        } catch (RuntimeException e) {
            // a bug or an unexpected JDK failure: count it as a failed call, never let it escape
            b.failure(System.nanoTime() - start, String.valueOf(e));
            return unavailable.apply(fail(op, start, "credit platform unavailable: " + e, "failed"));
        }
        b.failure(System.nanoTime() - start, lastFailure);
        return unavailable.apply(fail(op, start, "credit platform unavailable: " + lastFailure + " after "
                + attempt + (attempt == 1 ? " attempt" : " attempts") + " (" + b.stateText() + ")", "failed"));
    }

    /** Sends within {@code remainingNanos}; never throws for I/O. */
    private Exchange send(HttpRequest.Builder rb, long remainingNanos, Duration timeout) throws InterruptedException {
        if (remainingNanos <= 0) {
            return Exchange.failed("no answer within " + timeout.toMillis() + " ms");
        }
        HttpRequest request = rb.timeout(Duration.ofNanos(remainingNanos)).build();
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            HttpResponse<byte[]> r = f.get(remainingNanos, TimeUnit.NANOSECONDS);
            return new Exchange(r.statusCode(), r.body(), null);
        } catch (TimeoutException e) {
            f.cancel(true);
            return Exchange.failed("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof HttpConnectTimeoutException || c instanceof HttpTimeoutException) {
                return Exchange.failed("no answer within " + timeout.toMillis() + " ms");
            }
            // what clients see names no internal host (security review finding 15); the log line does (fail())
            if (c instanceof ConnectException) {
                return Exchange.failed("connection refused");
            }
            return Exchange.failed("transport error (" + c.getClass().getSimpleName() + ")");
        }
    }

    private Unavailable fail(Op op, long start, String reason, String outcome) {
        long id = outageStarted();
        timer(op, outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        DomainBreaker b = currentBreaker();
        failureLog.warn(op.tag + "/" + outcome, "credit platform " + op.tag + " failed"
                + (b == null ? "" : " at " + b.domain) + ": " + reason);
        return new Unavailable(reason, id);
    }

    private WebhookResult webhookFailed(long start, int status, String reason) {
        timer(Op.WEBHOOK, "failed").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        failureLog.warn("webhook", "usage webhook delivery failed: " + reason);
        return new WebhookResult.Failed(status, reason);
    }

    /** The current outage, started now if none is running. */
    private long outageStarted() {
        while (true) {
            long c = currentOutage.get();
            if (c != 0) {
                return c;
            }
            long next = outageSeq.incrementAndGet();
            if (currentOutage.compareAndSet(0, next)) {
                return next;
            }
        }
    }

    private void answered() {
        long ended = currentOutage.getAndSet(0);
        if (ended != 0) {
            log.info("credit platform answers again: outage #{} is over", ended);
        }
        if (unauthorized.compareAndSet(true, false)) {
            log.info("credit platform accepts letaicode_admin_token again");
        }
    }

    private DomainBreaker breakerFor(String domain) {
        DomainBreaker b = breakers.computeIfAbsent(domain, DomainBreaker::new);
        lastBreaker = b;
        return b;
    }

    private DomainBreaker currentBreaker() {
        try {
            CreditPlatformSettings s = settings.get();
            if (s != null && !s.domain().isEmpty()) {
                return breakers.get(s.domain());
            }
        } catch (RuntimeException ignored) {
            // fall through
        }
        return lastBreaker;
    }

    private BigDecimal currentRate() {
        try {
            CreditPlatformSettings s = settings.get();
            return s == null ? CreditPlatformSettings.DEFAULT_CREDITS_PER_USD : s.creditsPerUsd();
        } catch (RuntimeException e) {
            return CreditPlatformSettings.DEFAULT_CREDITS_PER_USD;
        }
    }

    private double breakerStateCode() {
        DomainBreaker b = lastBreaker;
        if (b == null) {
            return 0;
        }
        return switch (b.breaker.getState()) {
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 0;
        };
    }

    private Timer timer(Op op, String outcome) {
        return timers.computeIfAbsent(op.tag + '|' + outcome, k -> Timer.builder("creditgate.credit.platform.calls")
                .description("calls to the credit platform, retries included")
                .tag("operation", op.tag)
                .tag("outcome", outcome)
                .register(registry));
    }

    private Counter retryCounter(Op op) {
        return retryCounters.computeIfAbsent(op, o -> Counter.builder("creditgate.credit.platform.retries")
                .description("retries of calls to the credit platform")
                .tag("operation", o.tag)
                .register(registry));
    }

    // ------------------------------------------------------------------------------------------ JSON helpers

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    /** An exact decimal from a JSON number or string; null when absent. */
    static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isString()) {
            try {
                return new BigDecimal(v.stringValue().strip());
            } catch (NumberFormatException e) {
                throw new NumberFormatException(field + ": " + v.stringValue() + " (expected: a decimal number)");
            }
        }
        throw new NumberFormatException(field + ": " + v.getNodeType() + " (expected: a decimal number)");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || !v.isValueNode()) {
            return null;
        }
        return v.asString();
    }

    /** ISO-8601 (with offset) or epoch milliseconds. */
    private static Instant instant(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        String t = v.asString();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(t).toInstant();
        }
    }

    /** {@code ": <message>"} from a JSON answer, shortened; empty when none. */
    private static String messageOf(JsonNode body) {
        if (body == null || !body.isObject()) {
            return "";
        }
        String m = text(body, "message");
        if (m == null) {
            m = text(body, "code");
        }
        if (m == null || m.isBlank()) {
            return "";
        }
        return ": " + (m.length() > 200 ? m.substring(0, 200) + "..." : m);
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String seconds(long millis) {
        return BigDecimal.valueOf(millis).movePointLeft(3).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString()
                + "s";
    }
}
