package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.OptionalLong;

import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed's three unit cases (section 10), end to end through a real HTTP stub of the platform. */
class CreditCheckIT {

    /** 0.5 USD = 50 credits at 100 credits per USD. */
    private static final long ESTIMATE = 250_000;

    private PlatformStub stub;
    private CreditPlatformClient client;
    private CreditCheck check;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        stub = new PlatformStub();
        // the deadline is not under test here: generous, so that a loaded machine cannot turn an answer into a timeout
        CreditPlatformSettings settings = new CreditPlatformSettings(stub.url(), "tok", Duration.ofMillis(5000), 1,
                null);
        LastKnownBalances lastKnown = new LastKnownBalances();
        MutableClock clock = MutableClock.atEpochOf2025();
        client = new CreditPlatformClient(() -> settings, registry, lastKnown, BreakerSettings.DEFAULTS, clock);
        check = new CreditCheck(client, new FallbackPolicy(() -> FallbackSettings.DEFAULTS, lastKnown, registry, clock));
    }

    @AfterEach
    void tearDown() {
        client.close();
        stub.close();
    }

    @Test
    void sufficientCreditIsAllowed() {
        stub.always(200, PlatformStub.balanceJson("1000"));

        assertThat(check.check("42", ESTIMATE, LocalQuota.NONE))
                .isEqualTo(new CreditVerdict.Allow(CreditVerdict.Basis.PLATFORM, null));
    }

    @Test
    void insufficientCreditIs403WithTheMessage() {
        stub.always(200, PlatformStub.balanceJson("0"));

        CreditVerdict v = check.check("42", ESTIMATE, keyId -> OptionalLong.of(Long.MAX_VALUE));

        assertThat(v).isInstanceOfSatisfying(CreditVerdict.Insufficient.class, i -> {
            assertThat(i.code()).isEqualTo("insufficient_user_quota");
            assertThat(i.message()).isEqualTo("user quota insufficient, remaining: 0 credits, need: 50 credits");
        });
    }

    @Test
    void creditBelowTheEstimateIs403() {
        stub.always(200, PlatformStub.balanceJson("49.999999"));

        assertThat(check.check("42", ESTIMATE, LocalQuota.NONE)).isInstanceOfSatisfying(
                CreditVerdict.Insufficient.class, i -> assertThat(i.message())
                        .isEqualTo("user quota insufficient, remaining: 49.999999 credits, need: 50 credits"));
    }

    @Test
    void aFailingPlatformFallsBackToTheLocalQuotaAndContinues() {
        stub.stop();

        CreditVerdict v = check.check("42", ESTIMATE, keyId -> OptionalLong.of(1_000_000));

        assertThat(v).isInstanceOfSatisfying(CreditVerdict.Allow.class, a -> {
            assertThat(a.basis()).isEqualTo(CreditVerdict.Basis.LOCAL_QUOTA);
            assertThat(a.detail()).contains("credit platform unavailable");
        });
        assertThat(registry.get("creditgate.credit.fallback").tag("policy", "local")
                .tag("outcome", "allowed_local_quota").counter().count()).isEqualTo(1);
    }

    @Test
    void aFailingPlatformAfterAnAnswerUsesTheLastKnownBalance() {
        stub.always(200, PlatformStub.balanceJson("60"));
        assertThat(check.check("42", ESTIMATE, LocalQuota.NONE)).isInstanceOf(CreditVerdict.Allow.class);
        stub.always(503, "{}");

        assertThat(check.check("42", ESTIMATE, LocalQuota.NONE))
                .isInstanceOfSatisfying(CreditVerdict.Allow.class,
                        a -> assertThat(a.basis()).isEqualTo(CreditVerdict.Basis.LAST_KNOWN_BALANCE));
        assertThat(check.check("42", ESTIMATE, LocalQuota.NONE)).as("60 - 50 left: 10 < 50")
                .isInstanceOf(CreditVerdict.Insufficient.class);
    }

    @Test
    void anUnknownKeyIsNotAnOutage() {
        stub.always(404, "{\"success\":false,\"message\":\"API Key not found\"}");

        assertThat(check.check("42", ESTIMATE, LocalQuota.NONE))
                .isEqualTo(new CreditVerdict.UnknownKey("key unknown to the credit platform: API Key not found"));
    }

    @Test
    void holdAnswersMapToTheSameVerdicts() {
        assertThat(check.verdictFor(new HoldResult.Refused(new BigDecimal("3"), null), "42", ESTIMATE,
                LocalQuota.NONE)).isInstanceOfSatisfying(CreditVerdict.Insufficient.class, i -> assertThat(i.message())
                .isEqualTo("user quota insufficient, remaining: 3 credits, need: 50 credits"));
        assertThat(check.verdictFor(new HoldResult.Granted("h", BigDecimal.ONE, BigDecimal.TEN, null), "42",
                ESTIMATE, LocalQuota.NONE)).isEqualTo(new CreditVerdict.Allow(CreditVerdict.Basis.PLATFORM, "hold h"));
        assertThat(check.verdictFor(new Unavailable("down", 1), "42", ESTIMATE, keyId -> OptionalLong.of(0)))
                .isInstanceOf(CreditVerdict.Insufficient.class);
    }
}
