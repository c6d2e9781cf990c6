package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CreditPlatformClient#extendHold}: against the loopback stub (wire, retry, deadline, breaker, conflicts as
 * values) and once against the real credit platform (the contract both sides share).
 */
class CreditPlatformExtendHoldIT {

    private static final String TOKEN = "sk-admin-secret-token-0123456789abcdef";

    private PlatformStub stub;
    private final AtomicReference<CreditPlatformSettings> settings = new AtomicReference<>();
    private final MutableClock clock = MutableClock.atEpochOf2025();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CreditPlatformClient client;

    @BeforeEach
    void setUp() throws Exception {
        stub = new PlatformStub();
        settings.set(settingsFor(stub.url(), TOKEN, 1000));
        client = new CreditPlatformClient(settings::get, registry, new LastKnownBalances(),
                new BreakerSettings(3, Duration.ofSeconds(10)), clock);
    }

    @AfterEach
    void tearDown() {
        client.close();
        stub.close();
    }

    private static CreditPlatformSettings settingsFor(String domain, String token, long timeoutMs) {
        return new CreditPlatformSettings(domain, token, Duration.ofMillis(timeoutMs), 1, BigDecimal.valueOf(100));
    }

    @Test
    void extendIsSentWithTheTtlAndSettles() {
        stub.always(200, "{\"success\":true,\"holdId\":\"h 1\",\"outcome\":\"EXTENDED\",\"amount\":1.5,"
                + "\"available\":98.5,\"debt\":0,\"expiresAt\":\"2026-01-01T00:10:00.000Z\"}");

        SettleResult r = client.extendHold("h 1", 300);

        assertThat(r).isEqualTo(new SettleResult.Settled("h 1", "EXTENDED", new BigDecimal("98.5"), BigDecimal.ZERO));
        PlatformStub.Request req = stub.last();
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/api/credits/holds/h%201/extend");
        assertThat(req.header("X-API-Key")).isEqualTo(TOKEN);
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        assertThat(req.body()).isEqualTo("{\"ttlSeconds\":300}");
        assertThat(registry.get("creditgate.credit.platform.calls").tag("operation", "extend")
                .tag("outcome", "ok").timer().count()).isEqualTo(1);
    }

    @Test
    void anExpiredHoldIsRejectedNotRetriedAndNoOutage() {
        stub.always(409, "{\"success\":false,\"holdId\":\"h-2\",\"outcome\":\"EXPIRED\",\"code\":\"hold_expired\","
                + "\"message\":\"hold h-2 expired\",\"amount\":1,\"available\":3,\"debt\":0}");

        SettleResult r = client.extendHold("h-2", 60);

        assertThat(r).isEqualTo(new SettleResult.Rejected(409, "hold_expired", "EXPIRED", "hold h-2 expired"));
        assertThat(stub.count()).isEqualTo(1);
        assertThat(client.currentOutageId()).isZero();
    }

    @Test
    void aServerErrorIsRetriedOnceWithTheSameBody() {
        stub.sequence(PlatformStub.Reply.json(503, "{\"success\":false}"),
                PlatformStub.Reply.json(200, "{\"success\":true,\"holdId\":\"h-3\",\"outcome\":\"EXTENDED\","
                        + "\"available\":2,\"debt\":0}"));

        SettleResult r = client.extendHold("h-3", 120);

        assertThat(r).isInstanceOfSatisfying(SettleResult.Settled.class, s -> assertThat(s.outcome()).isEqualTo("EXTENDED"));
        assertThat(stub.requests()).hasSize(2).allSatisfy(q -> assertThat(q.body()).isEqualTo("{\"ttlSeconds\":120}"));
        assertThat(registry.get("creditgate.credit.platform.retries").tag("operation", "extend").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aPlatformThatNeverAnswersCostsOneDeadlineThenTheBreakerShortCircuits() {
        settings.set(settingsFor(stub.url(), TOKEN, 200));
        stub.always(PlatformStub.HANG);

        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            assertThat(client.extendHold("h-4", 60)).isInstanceOfSatisfying(Unavailable.class,
                    u -> assertThat(u.reason()).contains("no answer within 200 ms"));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(200 + 700);
        }
        int sent = stub.count();
        long start = System.nanoTime();
        assertThat(client.extendHold("h-4", 60)).isInstanceOfSatisfying(Unavailable.class,
                u -> assertThat(u.reason()).contains("breaker open"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(100);
        assertThat(stub.count()).isEqualTo(sent);
        stub.releaseHanging();
    }

    @Test
    void aTtlBelowOneIsABug() {
        assertThatThrownBy(() -> client.extendHold("h-5", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttlSeconds: 0");
        assertThat(stub.count()).isZero();
    }

    @Test
    void againstTheRealPlatformAnExtendedHoldIsCapturedAndAnExpiredOneRefused() throws Exception {
        TestDatabases.Db db = TestDatabases.h2();
        try (CreditsServer credits = CreditsServer.start(db, "http://127.0.0.1:9")) { // no gateway: key inserted below
            settings.set(settingsFor(credits.url(), CreditsServer.SERVICE, 5000));
            String userId = RunningGateway.JSON.readTree(credits.call("POST", "/api/users",
                    "{\"email\":\"x@example.test\",\"name\":\"x\"}").body()).path("data").path("id").asString();
            assertThat(credits.call("POST", "/api/users/" + userId + "/credits",
                    "{\"amount\":10,\"type\":\"RECHARGE\"}").status()).isEqualTo(201);
            String keyId = UUID.randomUUID().toString();
            credits.jdbc().sql("INSERT INTO api_keys (id, user_id, label, key_hash, masked, remote_key_id, status,"
                            + " created_at_ms, updated_at_ms) VALUES (:id, :u, 't', :h, 'sk-t****', 1, 'ACTIVE', 0, 0)")
                    .param("id", keyId).param("u", userId).param("h", keyId.replace("-", "") + "0".repeat(32)).update();

            HoldResult.Granted g = (HoldResult.Granted) client.createHold(keyId, "req-x", new BigDecimal("0.01"), 60, "m");
            SettleResult extended = client.extendHold(g.holdId(), 600);
            assertThat(extended).isInstanceOfSatisfying(SettleResult.Settled.class, s -> {
                assertThat(s.outcome()).isEqualTo("EXTENDED");
                assertThat(s.available()).isEqualByComparingTo("9");
            });
            long expiresAt = credits.jdbc().sql("SELECT expires_at_ms FROM holds WHERE id = :id")
                    .param("id", g.holdId()).query(Long.class).single();
            assertThat(Instant.ofEpochMilli(expiresAt)).isAfter(g.expiresAt().plusSeconds(500));
            assertThat(client.capture(g.holdId(), new BigDecimal("0.01"), "ev-x", null))
                    .isInstanceOfSatisfying(SettleResult.Settled.class, s -> assertThat(s.outcome()).isEqualTo("CAPTURED"));
            assertThat(client.extendHold(g.holdId(), 600)).isInstanceOfSatisfying(SettleResult.Rejected.class, r -> {
                assertThat(r.status()).isEqualTo(409);
                assertThat(r.outcome()).isEqualTo("ALREADY_CAPTURED");
            });

            HoldResult.Granted short1 = (HoldResult.Granted) client.createHold(keyId, "req-y", new BigDecimal("0.01"), 1, "m");
            credits.jdbc().sql("UPDATE holds SET expires_at_ms = expires_at_ms - 5000 WHERE id = :id") // its TTL passed
                    .param("id", short1.holdId()).update();
            assertThat(client.extendHold(short1.holdId(), 600)).isEqualTo(new SettleResult.Rejected(409, "hold_expired",
                    "EXPIRED", "hold " + short1.holdId() + " expired"));
            assertThat(client.extendHold(short1.holdId(), 86_401)).isInstanceOfSatisfying(SettleResult.Rejected.class,
                    r -> assertThat(r.status()).isEqualTo(400));
        } finally {
            db.drop().run();
        }
    }
}
