package dev.creditgate.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.creditgate.gateway.ratelimit.RateLimitSettings.Rates;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.IpAllowList;
import dev.creditgate.gateway.token.Token;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.RateLimitedException;
import dev.creditgate.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The limiter on its own, time moved by a {@link MutableClock}; the concurrency limit with real threads. */
class RateLimiterTest {

    final MutableClock clock = MutableClock.atEpochOf2025();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    static AuthenticatedToken token(long id, long userId) {
        Token t = new Token(id, userId, "h" + id, "sk-k" + id + "****", "t" + id, Token.ENABLED, 0, 0, -1, 0, true, 0, 0, false, "", "",
                "", userId == 0 ? Token.SOURCE_LETAICODE : Token.SOURCE_NATIVE, null);
        return new AuthenticatedToken(t, "default", Set.of(), IpAllowList.parse(""));
    }

    RateLimiter limiter(RateLimitSettings settings) {
        return new RateLimiter(group -> settings, clock, metrics);
    }

    static RateLimitSettings keyRates(int rpm, int tpm, int concurrency) {
        return new RateLimitSettings(0, 0, RateLimitSettings.MINUTE, new Rates(rpm, tpm, concurrency), Rates.NONE);
    }

    @Test
    void everythingOffGivesTheSharedEmptyPermit() {
        assertThat(limiter(RateLimitSettings.OFF).acquire(token(1, 1))).isSameAs(RatePermit.NONE);
    }

    @Test
    void requestsPerMinuteRefuseTheNextOneWithTheTimeUntilASlotIsFree() {
        RateLimiter limiter = limiter(keyRates(3, 0, 0));
        AuthenticatedToken t = token(1, 1);
        for (int i = 0; i < 3; i++) {
            limiter.acquire(t).close();
        }
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOfSatisfying(RateLimitedException.class, e -> {
            assertThat(e.error()).isEqualTo(ErrorCode.RATE_LIMITED_REQUESTS);
            assertThat(e.error().status()).isEqualTo(429);
            assertThat(e.retryAfterSeconds()).isEqualTo(20); // 3 per minute: one every 20 s
            assertThat(e.getMessage()).contains("token 1", "rate_limit_key_rpm", "limit 3");
        });
        // another token has its own bucket
        limiter.acquire(token(2, 1)).close();
        clock.advance(Duration.ofSeconds(19));
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOf(RateLimitedException.class);
        clock.advance(Duration.ofSeconds(1));
        limiter.acquire(t).close();
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOf(RateLimitedException.class);
        assertThat(metrics.get("gateway.ratelimit.refused").tag("limit", "requests").counter().count()).isEqualTo(3);
    }

    @Test
    void tokensPerMinuteAdmitWhileAnyTokenIsLeftThenWaitForTheDebt() {
        RateLimiter limiter = limiter(keyRates(0, 1000, 0));
        AuthenticatedToken t = token(1, 1);
        RatePermit first = limiter.acquire(t);
        first.succeeded(1500); // over the minute's budget: a debt of 500 tokens
        first.close();
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOfSatisfying(RateLimitedException.class, e -> {
            assertThat(e.error()).isEqualTo(ErrorCode.RATE_LIMITED_TOKENS);
            assertThat(e.error().type()).isEqualTo("tokens");
            assertThat(e.error().code()).isEqualTo("rate_limit_exceeded");
            // 501 tokens must drain at 1000 per minute: 30.06 s
            assertThat(e.retryAfterSeconds()).isEqualTo(31);
        });
        clock.advance(Duration.ofSeconds(31));
        limiter.acquire(t).close();
    }

    @Test
    void aRefusedRequestCountsTowardNoLimit() {
        // user RPM 1, key RPM 5: the second request is refused by the user's limit and must not use the key's
        RateLimitSettings s = new RateLimitSettings(0, 0, RateLimitSettings.MINUTE, new Rates(2, 0, 0),
                new Rates(1, 0, 0));
        RateLimiter limiter = limiter(s);
        limiter.acquire(token(1, 7)).close();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> limiter.acquire(token(1, 7))).isInstanceOf(RateLimitedException.class)
                    .hasMessageContaining("rate_limit_user_rpm");
        }
        clock.advance(Duration.ofSeconds(60));
        limiter.acquire(token(1, 7)).close(); // the key's second request per minute is still there
        clock.advance(Duration.ofSeconds(60));
        limiter.acquire(token(1, 7)).close();
    }

    @Test
    void usersShareTheirLimitAcrossTheirTokensAndTokensWithoutAUserStandAlone() {
        RateLimitSettings s = new RateLimitSettings(0, 0, RateLimitSettings.MINUTE, Rates.NONE, new Rates(2, 0, 0));
        RateLimiter limiter = limiter(s);
        limiter.acquire(token(1, 9)).close();
        limiter.acquire(token(2, 9)).close();
        assertThatThrownBy(() -> limiter.acquire(token(3, 9))).isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("user 9");
        // letaicode tokens (user_id 0): each is its own user
        limiter.acquire(token(4, 0)).close();
        limiter.acquire(token(4, 0)).close();
        limiter.acquire(token(5, 0)).close();
        assertThatThrownBy(() -> limiter.acquire(token(4, 0))).isInstanceOf(RateLimitedException.class);
    }

    @Test
    void newApiCountAndSuccessCountOverTheirWindow() {
        // ModelRequestRateLimitCount 3, SuccessCount 2, over 2 minutes
        RateLimitSettings s = new RateLimitSettings(3, 2, 2 * RateLimitSettings.MINUTE, Rates.NONE, Rates.NONE);
        RateLimiter limiter = limiter(s);
        AuthenticatedToken t = token(1, 4);
        try (RatePermit p = limiter.acquire(t)) {
            p.succeeded(10);
        }
        try (RatePermit p = limiter.acquire(t)) {
            p.succeeded(10);
        }
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("successful requests").hasMessageContaining("per 2 min");
        clock.advance(Duration.ofSeconds(60)); // one success slot back (2 per 2 min), 1.5 request slots
        limiter.acquire(t).close();            // failed requests (no success reported)
        limiter.acquire(t).close();
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("ModelRequestRateLimitCount");
    }

    @Test
    void settingsReadGroupOverridesFromTheGroupJson() {
        Map<String, int[]> groups = RateLimitSettings.parseGroups("{\"vip\": [0, 1000], \"free\": [50, 30]}");
        assertThat(groups.get("free")).containsExactly(50, 30);
        assertThat(groups.get("vip")).containsExactly(0, 1000);
        assertThatThrownBy(() -> RateLimitSettings.parseGroups("{\"vip\": [1]}"))
                .hasMessageContaining("expected: [count, successCount]");
        assertThatThrownBy(() -> RateLimitSettings.parseGroups("{\"vip\": [-1, 2]}"))
                .hasMessageContaining("integers >= 0");
        assertThatThrownBy(() -> RateLimitSettings.parseGroups("[1, 2]")).hasMessageContaining("ARRAY");
        assertThat(RateLimitOptions.validateGroups("{\"vip\": [1.5, 2]}")).isPresent();
        assertThat(RateLimitOptions.validateGroups("")).isEmpty();
    }

    @Test
    void aChangedLimitTakesEffectAtOnce() {
        var current = new java.util.concurrent.atomic.AtomicReference<>(keyRates(1, 0, 0));
        RateLimiter limiter = new RateLimiter((Function<String, RateLimitSettings>) g -> current.get(), clock, metrics);
        limiter.acquire(token(1, 1)).close();
        assertThatThrownBy(() -> limiter.acquire(token(1, 1))).isInstanceOf(RateLimitedException.class);
        current.set(keyRates(10, 0, 0));
        limiter.acquire(token(1, 1)).close();
        current.set(RateLimitSettings.OFF);
        for (int i = 0; i < 100; i++) {
            limiter.acquire(token(1, 1)).close();
        }
    }

    /** Many threads race for a concurrency limit of 3: never more than 3 inside, every permit returned. */
    @RepeatedTest(5)
    void concurrencyLimitHoldsUnderRealThreads() throws Exception {
        RateLimiter limiter = limiter(keyRates(0, 0, 3));
        AuthenticatedToken t = token(1, 1);
        int threads = 32;
        int rounds = 200;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        CountDownLatch done = new CountDownLatch(threads);
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < threads; i++) {
            Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        try (RatePermit p = limiter.acquire(t)) {
                            int now = inside.incrementAndGet();
                            maxInside.accumulateAndGet(now, Math::max);
                            admitted.incrementAndGet();
                            Thread.onSpinWait();
                            inside.decrementAndGet();
                        } catch (RateLimitedException e) {
                            refused.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        assertThat(errors).isEmpty();
        assertThat(maxInside.get()).isBetween(1, 3);
        assertThat(admitted.get() + refused.get()).isEqualTo(threads * rounds);
        assertThat(admitted.get()).isPositive();
        // all slots came back: three permits at once are admitted again, the fourth is not
        RatePermit a = limiter.acquire(t);
        RatePermit b = limiter.acquire(t);
        RatePermit c = limiter.acquire(t);
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("3 concurrent requests per token");
        a.close();
        a.close(); // closing twice frees one slot only
        limiter.acquire(t).close();
        RatePermit d = limiter.acquire(t);
        assertThatThrownBy(() -> limiter.acquire(t)).isInstanceOf(RateLimitedException.class);
        b.close();
        c.close();
        d.close();
    }

    /** Requests per minute under real threads: exactly the limit is admitted while time stands still. */
    @RepeatedTest(5)
    void requestsPerMinuteAdmitExactlyTheLimitUnderRealThreads() throws Exception {
        RateLimiter limiter = limiter(keyRates(500, 0, 0));
        AuthenticatedToken t = token(1, 1);
        AtomicInteger admitted = new AtomicInteger();
        int threads = 16;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int r = 0; r < 100; r++) {
                    try {
                        limiter.acquire(t).close();
                        admitted.incrementAndGet();
                    } catch (RateLimitedException refused) {
                        // expected past 500
                    }
                }
            }));
        }
        for (Thread th : all) {
            th.join();
        }
        assertThat(admitted.get()).isEqualTo(500);
    }
}
