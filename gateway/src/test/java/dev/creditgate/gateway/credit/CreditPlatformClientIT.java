package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real HTTP stub of the platform on loopback. */
class CreditPlatformClientIT {

    private static final String TOKEN = "sk-admin-secret-token-0123456789abcdef";

    private PlatformStub stub;
    private final AtomicReference<CreditPlatformSettings> settings = new AtomicReference<>();
    private final MutableClock clock = MutableClock.atEpochOf2025();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LastKnownBalances lastKnown = new LastKnownBalances();
    private CreditPlatformClient client;

    @BeforeEach
    void setUp() throws Exception {
        stub = new PlatformStub();
        settings.set(settingsFor(stub.url(), 1000, 1));
        client = new CreditPlatformClient(settings::get, registry, lastKnown,
                new BreakerSettings(3, Duration.ofSeconds(10)), clock);
    }

    @AfterEach
    void tearDown() {
        client.close();
        stub.close();
    }

    private static CreditPlatformSettings settingsFor(String domain, long timeoutMs, int retries) {
        return new CreditPlatformSettings(domain, TOKEN, Duration.ofMillis(timeoutMs), retries, BigDecimal.valueOf(100));
    }

    // ---------------------------------------------------------------------------------------------- balance

    @Test
    void balanceIsParsedExactlyAndSentWithTheToken() {
        stub.always(200, "{\"success\":true,\"credit\":12.345678,\"userId\":\"u-7\",\"keyId\":\"key 1\","
                + "\"remoteKeyId\":42,\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"held\":0.000001,"
                + "\"creditsPerUsd\":133.333333}");

        BalanceResult r = client.balance("key 1");

        assertThat(r).isInstanceOf(BalanceResult.Balance.class);
        BalanceResult.Balance b = (BalanceResult.Balance) r;
        assertThat(b.credit()).isEqualByComparingTo("12.345678");
        assertThat(b.credit().toPlainString()).isEqualTo("12.345678");
        assertThat(b.held().toPlainString()).isEqualTo("0.000001");
        assertThat(b.creditsPerUsd().toPlainString()).isEqualTo("133.333333");
        assertThat(b.userId()).isEqualTo("u-7");
        assertThat(b.gatewayTokenId()).isEqualTo("42");
        assertThat(b.keyId()).isEqualTo("key 1");
        PlatformStub.Request req = stub.last();
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.path()).isEqualTo("/api/credits/balance/key%201");
        assertThat(req.header("X-API-Key")).isEqualTo(TOKEN);
        assertThat(lastKnown.get("key 1")).hasValueSatisfying(k -> {
            assertThat(k.credit()).isEqualByComparingTo("12.345678");
            assertThat(k.creditsPerUsd()).isEqualByComparingTo("133.333333");
        });
        assertThat(registry.get("creditgate.credit.platform.calls").tag("operation", "balance")
                .tag("outcome", "ok").timer().count()).isEqualTo(1);
    }

    @Test
    void largeAndStringCreditsStayExactAndAMissingRateTakesTheConfiguredOne() {
        stub.always(200, "{\"success\":true,\"credit\":\"98765432109.000001\",\"held\":\"0.1\"}");

        BalanceResult.Balance b = (BalanceResult.Balance) client.balance("k");

        assertThat(b.credit().toPlainString()).isEqualTo("98765432109.000001");
        assertThat(b.held().toPlainString()).isEqualTo("0.1");
        assertThat(b.creditsPerUsd()).isEqualByComparingTo("100");
    }

    @Test
    void unknownKeyIsNotFoundNotAnOutage() {
        stub.always(404, "{\"success\":false,\"message\":\"API Key not found\"}");

        BalanceResult r = client.balance("nope");

        assertThat(r).isEqualTo(new NotFound("nope", "API Key not found"));
        assertThat(stub.count()).isEqualTo(1);
        assertThat(client.currentOutageId()).isZero();
    }

    @Test
    void unauthorizedIsUnavailableNamingTheOptionNeverTheToken() {
        stub.always(401, "{\"success\":false,\"message\":\"Unauthorized\"}");

        BalanceResult r = client.balance("k");

        assertThat(r).isInstanceOfSatisfying(Unavailable.class, u -> {
            assertThat(u.reason()).contains("unauthorized (check letaicode_admin_token)").doesNotContain(TOKEN);
            assertThat(u.outageId()).isPositive();
        });
        assertThat(stub.count()).as("4xx is never retried").isEqualTo(1);
        assertThat(client.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void serverErrorIsRetriedOnceThenSucceeds() {
        stub.sequence(PlatformStub.Reply.json(503, "{\"success\":false,\"message\":\"busy\"}"),
                PlatformStub.Reply.json(200, PlatformStub.balanceJson("5")));

        BalanceResult r = client.balance("k");

        assertThat(r).isInstanceOf(BalanceResult.Balance.class);
        assertThat(stub.count()).isEqualTo(2);
        assertThat(registry.get("creditgate.credit.platform.retries").tag("operation", "balance").counter().count())
                .isEqualTo(1);
    }

    @Test
    void persistentServerErrorIsRetriedOnlyOnce() {
        stub.always(500, "{\"success\":false,\"message\":\"db down\"}");

        BalanceResult r = client.balance("k");

        assertThat(r).isInstanceOfSatisfying(Unavailable.class, u -> assertThat(u.reason())
                .contains("HTTP 500: db down").contains("after 2 attempts").contains("breaker closed, 1 consecutive"));
        assertThat(stub.count()).isEqualTo(2);
    }

    @Test
    void garbageIsUnavailableWithoutRetry() {
        stub.always(200, "<html>gateway timeout</html>");

        BalanceResult r = client.balance("k");

        assertThat(r).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("unparsable balance answer"));
        assertThat(stub.count()).isEqualTo(1);
    }

    @Test
    void wrongTypesAreUnavailable() {
        stub.always(200, "{\"success\":true,\"credit\":\"lots\"}");

        assertThat(client.balance("k")).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("credit: lots (expected: a decimal number)"));
    }

    @Test
    void successFalseOn200IsUnavailableWithThePlatformsMessage() {
        stub.always(200, "{\"success\":false,\"message\":\"ledger locked\"}");

        assertThat(client.balance("k")).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("ledger locked"));
    }

    @Test
    void missingSettingsAreNotConfiguredWithoutNetwork() {
        settings.set(CreditPlatformSettings.of("", TOKEN));
        assertThat(client.balance("k")).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("not configured").contains("letaicode_domain"));
        settings.set(CreditPlatformSettings.of(stub.url(), ""));
        assertThat(client.balance("k")).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("not configured").contains("letaicode_admin_token"));
        settings.set(null);
        assertThat(client.balance("k")).isInstanceOf(Unavailable.class);
        assertThat(stub.count()).isZero();
    }

    @Test
    void aSettingsChangeAppliesToTheNextCall() throws Exception {
        try (PlatformStub other = new PlatformStub()) {
            stub.always(200, PlatformStub.balanceJson("1"));
            other.always(200, PlatformStub.balanceJson("2"));

            assertThat(((BalanceResult.Balance) client.balance("k")).credit()).isEqualByComparingTo("1");
            settings.set(new CreditPlatformSettings(other.url() + "/", "another-token", Duration.ofMillis(1000), 1,
                    BigDecimal.TEN));

            assertThat(((BalanceResult.Balance) client.balance("k")).credit()).isEqualByComparingTo("2");
            assertThat(stub.count()).isEqualTo(1);
            assertThat(other.count()).isEqualTo(1);
            assertThat(other.last().header("X-API-Key")).isEqualTo("another-token");
            assertThat(other.last().path()).isEqualTo("/api/credits/balance/k");
        }
    }

    // ---------------------------------------------------------------------------------------------- deadline

    @Test
    void aPlatformThatNeverAnswersCostsOneDeadline() {
        settings.set(settingsFor(stub.url(), 300, 1));
        stub.always(PlatformStub.HANG);

        long start = System.nanoTime();
        BalanceResult r = client.balance("k");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("no answer within 300 ms"));
        assertThat(elapsedMs).isGreaterThanOrEqualTo(290).isLessThan(300 + 700);
        assertThat(stub.count()).as("no time left for the retry").isEqualTo(1);
    }

    @Test
    void theRetryFitsInsideTheSameDeadline() {
        settings.set(settingsFor(stub.url(), 400, 1));
        stub.sequence(PlatformStub.Reply.json(502, "{}"), PlatformStub.HANG);

        long start = System.nanoTime();
        BalanceResult r = client.balance("k");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r).isInstanceOf(Unavailable.class);
        assertThat(stub.count()).isEqualTo(2);
        assertThat(elapsedMs).isLessThan(400 + 700);
    }

    // ---------------------------------------------------------------------------------------------- breaker

    @Test
    void theBreakerOpensShortCircuitsAndClosesAfterAProbe() {
        settings.set(settingsFor(stub.url(), 200, 0));
        stub.always(PlatformStub.HANG);
        for (int i = 0; i < 3; i++) {
            assertThat(client.balance("k")).isInstanceOf(Unavailable.class);
        }
        assertThat(client.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(registry.get("creditgate.credit.platform.breaker.state").gauge().value()).isEqualTo(1.0);
        int seen = stub.count();
        clock.advance(Duration.ofMillis(4200));

        long start = System.nanoTime();
        BalanceResult open = client.balance("k");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(open).isInstanceOfSatisfying(Unavailable.class, u -> assertThat(u.reason())
                .isEqualTo("credit platform unavailable (breaker open for 4.2s after 3 failures, next probe in 5.8s)"));
        assertThat(stub.count()).as("no request while open").isEqualTo(seen);
        assertThat(elapsedMs).as("no I/O while open").isLessThan(250);
        assertThat(registry.get("creditgate.credit.platform.calls").tag("outcome", "short_circuited").timer().count())
                .isEqualTo(1);

        stub.releaseHanging();
        stub.always(200, PlatformStub.balanceJson("7.5"));
        clock.advance(Duration.ofSeconds(6));

        BalanceResult probe = client.balance("k");

        assertThat(probe).isInstanceOf(BalanceResult.Balance.class);
        assertThat(stub.count()).isEqualTo(seen + 1);
        assertThat(client.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(client.currentOutageId()).isZero();
    }

    @Test
    void aFailedProbeOpensTheBreakerAgain() {
        settings.set(settingsFor(stub.url(), 500, 0));
        stub.always(500, "{}");
        for (int i = 0; i < 3; i++) {
            client.balance("k");
        }
        assertThat(client.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        clock.advance(Duration.ofSeconds(11));

        assertThat(client.balance("k")).isInstanceOf(Unavailable.class);

        assertThat(stub.count()).isEqualTo(4);
        assertThat(client.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(client.balance("k")).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("breaker open for 0.0s"));
        assertThat(stub.count()).isEqualTo(4);
    }

    @Test
    void oneOutageKeepsItsIdUntilTheFirstAnswer() {
        stub.always(500, "{}");
        long first = ((Unavailable) client.balance("k")).outageId();
        long second = ((Unavailable) client.balance("k")).outageId();
        stub.always(200, PlatformStub.balanceJson("1"));
        client.balance("k");
        stub.always(500, "{}");
        long third = ((Unavailable) client.balance("k")).outageId();

        assertThat(second).isEqualTo(first);
        assertThat(third).isGreaterThan(first);
    }

    @Test
    void aStoppedPlatformIsUnavailableAndARestartRecovers() throws Exception {
        stub.always(200, PlatformStub.balanceJson("3"));
        assertThat(client.balance("k")).isInstanceOf(BalanceResult.Balance.class);

        stub.stop();
        BalanceResult down = client.balance("k");

        assertThat(down).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("credit platform unavailable").contains("connection refused").doesNotContain("127.0.0.1")); // finding 15: no internal host

        stub.restart();
        assertThat(client.balance("k")).isInstanceOfSatisfying(BalanceResult.Balance.class,
                b -> assertThat(b.credit()).isEqualByComparingTo("3"));
    }

    // ---------------------------------------------------------------------------------------------- holds

    @Test
    void holdIsGrantedAndSentWithExactUsd() throws Exception {
        stub.always(201, "{\"success\":true,\"holdId\":\"h-1\",\"status\":\"PENDING\",\"amount\":0.0123,"
                + "\"available\":99.9877,\"expiresAt\":\"2026-01-01T00:05:00.000Z\"}");

        HoldResult r = client.createHold("k-1", "req-1", new BigDecimal("0.000123"), 300, "gpt-4o");

        assertThat(r).isEqualTo(new HoldResult.Granted("h-1", new BigDecimal("0.0123"), new BigDecimal("99.9877"),
                Instant.parse("2026-01-01T00:05:00Z")));
        PlatformStub.Request req = stub.last();
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/api/credits/holds");
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        assertThat(req.body()).isEqualTo("{\"keyId\":\"k-1\",\"requestId\":\"req-1\",\"amountUsd\":\"0.000123\","
                + "\"ttlSeconds\":300,\"model\":\"gpt-4o\"}");
        assertThat(lastKnown.get("k-1")).hasValueSatisfying(k ->
                assertThat(k.credit()).isEqualByComparingTo("99.9877"));
    }

    @Test
    void insufficientCreditIsRefusedWithoutRetry() {
        stub.always(402, "{\"success\":false,\"code\":\"insufficient_credit\",\"available\":0.5,\"needed\":1.5}");

        HoldResult r = client.createHold("k-1", "req-1", new BigDecimal("0.015"), 300, "m");

        assertThat(r).isEqualTo(new HoldResult.Refused(new BigDecimal("0.5"), new BigDecimal("1.5")));
        assertThat(stub.count()).isEqualTo(1);
        assertThat(client.currentOutageId()).isZero();
    }

    @Test
    void tooManyOpenHoldsIsABusinessAnswerNotAnOutage() {
        stub.always(429, "{\"success\":false,\"code\":\"too_many_open_holds\",\"message\":\"too many open holds\"}");

        HoldResult r = client.createHold("k-1", "req-1", new BigDecimal("0.015"), 300, "m");

        assertThat(r).isEqualTo(new HoldResult.TooManyHolds("too many open holds"));
        assertThat(stub.count()).isEqualTo(1);
        assertThat(client.currentOutageId()).isZero();
    }

    @Test
    void aHoldIsRetriedWithTheSameRequestId() {
        stub.sequence(PlatformStub.Reply.json(502, ""),
                PlatformStub.Reply.json(201, "{\"success\":true,\"holdId\":\"h-2\",\"amount\":1,\"available\":2,"
                        + "\"expiresAt\":1767225900000}"));

        HoldResult r = client.createHold("k-1", "req-9", BigDecimal.ONE, 60, null);

        assertThat(r).isInstanceOfSatisfying(HoldResult.Granted.class, g -> {
            assertThat(g.holdId()).isEqualTo("h-2");
            assertThat(g.expiresAt()).isEqualTo(Instant.ofEpochMilli(1767225900000L));
        });
        assertThat(stub.requests()).hasSize(2).allSatisfy(q -> assertThat(q.body()).contains("\"requestId\":\"req-9\""));
    }

    @Test
    void captureAndReleaseSettleAndConflictsAreRejectedNotRetried() {
        stub.handler(q -> q.path().endsWith("/capture")
                ? PlatformStub.Reply.json(200, "{\"success\":true,\"holdId\":\"h 1\",\"outcome\":\"CAPTURED\","
                + "\"captured\":1.2,\"available\":98.8,\"debt\":0}")
                : PlatformStub.Reply.json(409, "{\"success\":false,\"holdId\":\"h 1\",\"outcome\":\"ALREADY_CAPTURED\","
                + "\"code\":\"already_captured\",\"message\":\"hold already captured\"}"));

        SettleResult captured = client.capture("h 1", new BigDecimal("0.012"), "ev-1",
                new Usage("gpt-4o", 10, 20, 30));
        SettleResult released = client.release("h 1");

        assertThat(captured).isEqualTo(new SettleResult.Settled("h 1", "CAPTURED", new BigDecimal("98.8"),
                BigDecimal.ZERO));
        assertThat(released).isEqualTo(new SettleResult.Rejected(409, "already_captured", "ALREADY_CAPTURED",
                "hold already captured"));
        assertThat(stub.count("/api/credits/holds/h%201/capture")).isEqualTo(1);
        assertThat(stub.count("/api/credits/holds/h%201/release")).isEqualTo(1);
        assertThat(stub.requests().getFirst().body()).isEqualTo("{\"costUsd\":\"0.012\",\"eventId\":\"ev-1\","
                + "\"usage\":{\"model\":\"gpt-4o\",\"promptTokens\":10,\"completionTokens\":20,\"totalTokens\":30}}");
    }

    // ---------------------------------------------------------------------------------------------- webhook

    @Test
    void webhookSuccessFailureAndTimeout() {
        byte[] body = "{\"eventId\":\"e1\"}".getBytes();
        Map<String, String> headers = Map.of("x-webhook-signature", "abc", "x-webhook-timestamp", "1");
        String url = stub.url() + "/api/webhooks/usage";

        stub.always(200, "{\"success\":true,\"eventId\":\"e1\"}");
        assertThat(client.postWebhook(url, body, headers)).isEqualTo(new WebhookResult.Delivered(200));
        assertThat(stub.last().header("x-webhook-signature")).isEqualTo("abc");
        assertThat(stub.last().header("Content-Type")).isEqualTo("application/json");
        assertThat(stub.last().body()).isEqualTo("{\"eventId\":\"e1\"}");

        stub.always(200, "{\"success\":false,\"message\":\"bad signature\"}");
        assertThat(client.postWebhook(url, body, headers)).isInstanceOfSatisfying(WebhookResult.Failed.class,
                f -> assertThat(f.reason()).contains("success:false").contains("bad signature"));

        stub.always(500, "");
        assertThat(client.postWebhook(url, body, headers)).isInstanceOfSatisfying(WebhookResult.Failed.class,
                f -> assertThat(f.status()).isEqualTo(500));

        settings.set(settingsFor(stub.url(), 200, 1));
        stub.always(PlatformStub.HANG);
        long start = System.nanoTime();
        assertThat(client.postWebhook(url, body, headers)).isInstanceOfSatisfying(WebhookResult.Failed.class,
                f -> assertThat(f.reason()).contains("no answer within 200 ms"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(200 + 700);
    }
}
