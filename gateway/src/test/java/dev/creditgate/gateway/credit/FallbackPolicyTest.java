package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class FallbackPolicyTest {

    private static final BigDecimal RATE = BigDecimal.valueOf(100);
    /** 0.01 USD = 1 credit at 100 credits per USD. */
    private static final long ONE_CREDIT = 5_000;
    private static final Unavailable DOWN = new Unavailable("credit platform unavailable: no answer within 2000 ms", 1);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LastKnownBalances lastKnown = new LastKnownBalances();
    private final AtomicReference<FallbackSettings> settings = new AtomicReference<>(FallbackSettings.DEFAULTS);
    private final MutableClock clock = MutableClock.atEpochOf2025();
    private final FallbackPolicy policy = new FallbackPolicy(settings::get, lastKnown, registry, clock,
            java.time.Duration.ofHours(1));

    private double count(String policy, String outcome) {
        return registry.get("creditgate.credit.fallback").tag("policy", policy).tag("outcome", outcome).counter()
                .count();
    }

    @Test
    void denyAnswers503WithTheReason() {
        settings.set(new FallbackSettings(FallbackMode.DENY, null, null));

        CreditVerdict v = policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE);

        assertThat(v).isEqualTo(new CreditVerdict.ServiceUnavailable(DOWN.reason()));
        assertThat(((CreditVerdict.ServiceUnavailable) v).code()).isEqualTo("credit_service_unavailable");
        assertThat(count("deny", "denied")).isEqualTo(1);
    }

    @Test
    void localUsesTheLastKnownBalanceAndDrawsItDownDuringTheOutage() {
        lastKnown.update("k", new BigDecimal("2.5"), RATE, RATE);

        assertThat(policy.decide("k", ONE_CREDIT, DOWN, keyId -> OptionalLong.of(Long.MAX_VALUE)))
                .isEqualTo(new CreditVerdict.Allow(CreditVerdict.Basis.LAST_KNOWN_BALANCE, DOWN.reason()));
        assertThat(policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE)).isInstanceOf(CreditVerdict.Allow.class);
        CreditVerdict third = policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE);

        assertThat(third).isInstanceOfSatisfying(CreditVerdict.Insufficient.class, i -> assertThat(i.message())
                .isEqualTo("user quota insufficient, remaining: 0.5 credits, need: 1 credits"));
        assertThat(count("local", "allowed_last_known")).isEqualTo(2);
        assertThat(count("local", "insufficient")).isEqualTo(1);

        Unavailable nextOutage = new Unavailable("down again", 2);
        assertThat(policy.decide("k", ONE_CREDIT, nextOutage, LocalQuota.NONE))
                .as("a flap (the platform answered once, a new outage) does not spend the cached credit again")
                .isInstanceOf(CreditVerdict.Insufficient.class);
        clock.advance(java.time.Duration.ofMinutes(62));
        assertThat(policy.decide("k", ONE_CREDIT, nextOutage, LocalQuota.NONE))
                .as("after the window, the last known balance counts again").isInstanceOf(CreditVerdict.Allow.class);
    }

    @Test
    void localFallsBackToTheOwnersQuota() {
        assertThat(policy.decide("k", 100, DOWN, keyId -> OptionalLong.of(100)))
                .isEqualTo(new CreditVerdict.Allow(CreditVerdict.Basis.LOCAL_QUOTA, DOWN.reason()));
        assertThat(policy.decide("k", 101, DOWN, keyId -> OptionalLong.of(100)))
                .isInstanceOfSatisfying(CreditVerdict.Insufficient.class, i -> assertThat(i.message())
                        .isEqualTo("user quota insufficient, remaining: 100 quota, need: 101 quota"));
    }

    @Test
    void localWithNothingToFallBackOnIs503() {
        assertThat(policy.decide("k", 1, DOWN, LocalQuota.NONE)).isInstanceOfSatisfying(
                CreditVerdict.ServiceUnavailable.class, u -> assertThat(u.message()).startsWith(DOWN.reason())
                        .endsWith("no last known balance and no local quota for this key"));
        assertThat(count("local", "no_local_data")).isEqualTo(1);
    }

    @Test
    void allowIsBoundedByTheAllowancePerKeyPerWindowAcrossFlaps() {
        settings.set(new FallbackSettings(FallbackMode.ALLOW, new BigDecimal("2"), RATE));

        assertThat(policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE))
                .isEqualTo(new CreditVerdict.Allow(CreditVerdict.Basis.ALLOWANCE, DOWN.reason()));
        assertThat(policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE)).isInstanceOf(CreditVerdict.Allow.class);
        assertThat(policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE)).isInstanceOfSatisfying(
                CreditVerdict.ServiceUnavailable.class, u -> assertThat(u.message()).contains(
                        "fallback allowance of 2 credits for this key within the fallback window exhausted (left: 0, need: 1)"));
        assertThat(policy.decide("other", ONE_CREDIT, DOWN, LocalQuota.NONE)).as("per key")
                .isInstanceOf(CreditVerdict.Allow.class);
        for (int flap = 2; flap < 12; flap++) {
            clock.advance(java.time.Duration.ofMinutes(5));
            assertThat(policy.decide("k", ONE_CREDIT, new Unavailable("x", flap), LocalQuota.NONE))
                    .as("flap %d within the hour", flap).isInstanceOf(CreditVerdict.ServiceUnavailable.class);
        }
        clock.advance(java.time.Duration.ofMinutes(7)); // 57 min after the first two: one more bucket to go
        assertThat(policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE)).isInstanceOf(CreditVerdict.ServiceUnavailable.class);
        clock.advance(java.time.Duration.ofMinutes(4));
        assertThat(policy.decide("k", ONE_CREDIT, DOWN, LocalQuota.NONE)).as("the window moved past the first spending")
                .isInstanceOf(CreditVerdict.Allow.class);
        assertThat(count("allow", "allowed_allowance")).isEqualTo(4);
        assertThat(count("allow", "allowance_exhausted")).isEqualTo(12);
    }

    @Test
    void allowGrantsExactlyTheAllowanceAcrossConcurrentThreads() throws Exception {
        settings.set(new FallbackSettings(FallbackMode.ALLOW, new BigDecimal("25"), RATE));
        int threads = 32;
        int perThread = 20;
        for (int round = 0; round < 5; round++) {
            Unavailable outage = new Unavailable("down", 100 + round);
            AtomicInteger granted = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < perThread; i++) {
                            if (policy.decide("hot-" + outage.outageId(), ONE_CREDIT, outage, LocalQuota.NONE)
                                    instanceof CreditVerdict.Allow) {
                                granted.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            assertThat(granted.get()).as("round %d", round).isEqualTo(25);
        }
    }

    @Test
    void invalidFallbackSettingsDeny() {
        settings.set(null);

        assertThat(policy.decide("k", 1, DOWN, LocalQuota.NONE))
                .isInstanceOf(CreditVerdict.ServiceUnavailable.class);
    }

    @Test
    void settingsFromOptions() {
        FallbackSettings s = FallbackSettings.fromOptions(java.util.Map.of("letaicode_fallback", "Allow",
                "letaicode_fallback_allowance", "12.5")::get);

        assertThat(s.mode()).isEqualTo(FallbackMode.ALLOW);
        assertThat(s.allowanceCredits()).isEqualByComparingTo("12.5");
        assertThat(FallbackSettings.fromOptions(k -> null)).isEqualTo(FallbackSettings.DEFAULTS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FallbackMode.parse("maybe"))
                .hasMessage("letaicode_fallback: maybe (expected: local, deny or allow)");
    }
}
