package dev.creditgate.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.creditgate.gateway.option.OptionService;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.Token;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.RateLimitedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Per-token and per-user rate limits of the relay: requests per window, tokens per minute, requests in flight
 * ({@link RateLimitSettings} lists the options). Checked right after authentication, before the body is read; a
 * refusal is a 429 in the route's shape with {@code Retry-After} and counts as nothing (no log row, no quota, no
 * upstream call).
 *
 * <p><b>Per instance.</b> The counters live in this JVM (GCRA buckets in a bounded Caffeine cache), so a check
 * costs no database or network call; with N gateway instances behind a balancer a caller can reach up to N times a
 * limit. Set the limits to {@code limit / N} for a hard bound across instances. (Across-instance limits would need a
 * shared store such as Redis on every request, which the product does not depend on today.)
 *
 * <p>Tokens per minute are counted when the answer is settled (prompt + completion tokens), so a request is admitted
 * while the window has any token left and may take the bucket into debt; the next requests wait until the debt has
 * drained. With every limit at 0 (the default) a request costs a few option look-ups in memory and no allocation.
 */
@Component
public class RateLimiter {

    /** Idle callers are forgotten after this (longer than any window, so nothing they owe is forgiven early). */
    private static final Duration FORGET_AFTER = Duration.ofMinutes(RateLimitSettings.MAX_DURATION_MINUTES + 60);

    private final Function<String, RateLimitSettings> settings;
    private final Clock clock;
    private final Cache<Long, CallerState> keys;
    private final Cache<Long, CallerState> users;
    private final Counter refusedRequests;
    private final Counter refusedTokens;
    private final Counter refusedConcurrency;

    @Autowired
    RateLimiter(OptionService options, Clock clock, MeterRegistry metrics) {
        this(group -> RateLimitSettings.read(options, group), clock, metrics);
    }

    RateLimiter(Function<String, RateLimitSettings> settings, Clock clock, MeterRegistry metrics) {
        this.settings = settings;
        this.clock = clock;
        this.keys = Caffeine.newBuilder().expireAfterAccess(FORGET_AFTER).maximumSize(1_000_000).build();
        this.users = Caffeine.newBuilder().expireAfterAccess(FORGET_AFTER).maximumSize(1_000_000).build();
        this.refusedRequests = refused(metrics, "requests");
        this.refusedTokens = refused(metrics, "tokens");
        this.refusedConcurrency = refused(metrics, "concurrency");
    }

    private static Counter refused(MeterRegistry metrics, String limit) {
        return Counter.builder("gateway.ratelimit.refused").description("relay requests refused with 429 by a rate limit")
                .tag("limit", limit).register(metrics);
    }

    /**
     * Admits one request of {@code auth} or refuses it. Close the permit when the request ends (it holds a place
     * of the concurrency limits) and report a successful answer's tokens with {@link RatePermit#succeeded}.
     *
     * @throws RateLimitedException 429 when a limit is reached; nothing is counted then
     */
    public RatePermit acquire(AuthenticatedToken auth) {
        RateLimitSettings s = settings.apply(auth.group());
        if (s.off()) {
            return RatePermit.NONE;
        }
        Token token = auth.token();
        long now = nanos(clock.instant());
        CallerState key = s.key().any() ? keys.get(token.id(), id -> new CallerState()) : null;
        boolean userLimited = s.user().any() || s.userRequests() > 0 || s.userSuccesses() > 0;
        // A token without a gateway user (letaicode, user_id 0) is its own user: keyed apart from real user ids.
        CallerState user = userLimited ? users.get(token.userId() > 0 ? token.userId() : -token.id(),
                id -> new CallerState()) : null;
        String who = "token " + token.id() + (token.userId() > 0 ? " (user " + token.userId() + ")" : "");

        // Checks that take nothing first, then the ones that take (undone if a later check refuses).
        if (key != null && s.key().tpm() > 0) {
            refuseTokens(key.tokens.waitForOne(now, s.key().tpm(), RateLimitSettings.MINUTE), who, "token",
                    s.key().tpm());
        }
        if (user != null && s.user().tpm() > 0) {
            refuseTokens(user.tokens.waitForOne(now, s.user().tpm(), RateLimitSettings.MINUTE), who, "user",
                    s.user().tpm());
        }
        if (user != null && s.userSuccesses() > 0) {
            long wait = user.successes.waitForOne(now, s.userSuccesses(), s.userWindowNanos());
            if (wait > 0) {
                refusedRequests.increment();
                throw new RateLimitedException(ErrorCode.RATE_LIMITED_REQUESTS, "rate limit reached for " + who
                        + " on successful requests: limit " + s.userSuccesses() + " per " + minutes(s) + " min"
                        + " (ModelRequestRateLimitSuccessCount); retry in " + seconds(wait) + " s", wait);
            }
        }
        boolean keySlot = key != null && s.key().concurrency() > 0;
        boolean userSlot = user != null && s.user().concurrency() > 0;
        if (keySlot && !key.enter(s.key().concurrency())) {
            refuseConcurrency(who, "token", s.key().concurrency());
        }
        if (userSlot && !user.enter(s.user().concurrency())) {
            if (keySlot) {
                key.leave();
            }
            refuseConcurrency(who, "user", s.user().concurrency());
        }
        RatePermit permit = new RatePermit(this, s, keySlot ? key : null, userSlot ? user : null, key, user);
        boolean keyTaken = false;
        boolean userTaken = false;
        try {
            if (key != null && s.key().rpm() > 0) {
                refuseRequests(key.requests.tryTake(now, 1, s.key().rpm(), RateLimitSettings.MINUTE), who,
                        "requests per minute (rate_limit_key_rpm)", s.key().rpm(), 1);
                keyTaken = true;
            }
            if (user != null && s.user().rpm() > 0) {
                refuseRequests(user.requests.tryTake(now, 1, s.user().rpm(), RateLimitSettings.MINUTE), who,
                        "requests per minute (rate_limit_user_rpm)", s.user().rpm(), 1);
                userTaken = true;
            }
            if (user != null && s.userRequests() > 0) {
                refuseRequests(user.window.tryTake(now, 1, s.userRequests(), s.userWindowNanos()), who,
                        "requests (ModelRequestRateLimitCount)", s.userRequests(), minutes(s));
            }
        } catch (RateLimitedException e) { // a refused request counts toward no limit
            if (keyTaken) {
                key.requests.giveBack(1, s.key().rpm(), RateLimitSettings.MINUTE);
            }
            if (userTaken) {
                user.requests.giveBack(1, s.user().rpm(), RateLimitSettings.MINUTE);
            }
            permit.close();
            throw e;
        }
        return permit;
    }

    /** Counts a successful answer: its tokens toward the TPM limits, one toward the successful-requests limit. */
    void succeeded(RatePermit permit, long tokens) {
        RateLimitSettings s = permit.settings();
        long now = nanos(clock.instant());
        if (permit.key() != null && s.key().tpm() > 0) {
            permit.key().tokens.add(now, tokens, s.key().tpm(), RateLimitSettings.MINUTE);
        }
        if (permit.user() != null && s.user().tpm() > 0) {
            permit.user().tokens.add(now, tokens, s.user().tpm(), RateLimitSettings.MINUTE);
        }
        if (permit.user() != null && s.userSuccesses() > 0) {
            permit.user().successes.add(now, 1, s.userSuccesses(), s.userWindowNanos());
        }
    }

    private void refuseTokens(long wait, String who, String per, int limit) {
        if (wait > 0) {
            refusedTokens.increment();
            throw new RateLimitedException(ErrorCode.RATE_LIMITED_TOKENS, "rate limit reached for " + who
                    + " on tokens per minute (TPM, per " + per + ", rate_limit_" + per.replace("token", "key")
                    + "_tpm): limit " + limit + "; retry in " + seconds(wait) + " s", wait);
        }
    }

    private void refuseRequests(long wait, String who, String what, int limit, long minutes) {
        if (wait > 0) {
            refusedRequests.increment();
            throw new RateLimitedException(ErrorCode.RATE_LIMITED_REQUESTS, "rate limit reached for " + who + " on "
                    + what + ": limit " + limit + " per " + minutes + " min; retry in " + seconds(wait) + " s", wait);
        }
    }

    private void refuseConcurrency(String who, String per, int limit) {
        refusedConcurrency.increment();
        throw new RateLimitedException(ErrorCode.RATE_LIMITED_REQUESTS, "rate limit reached for " + who
                + ": " + limit + " concurrent requests per " + per + " (rate_limit_" + per.replace("token", "key")
                + "_concurrency); retry when one has finished", TimeUnit.SECONDS.toNanos(1));
    }

    private static long minutes(RateLimitSettings s) {
        return s.userWindowNanos() / RateLimitSettings.MINUTE;
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** The counters of one token or user. */
    static final class CallerState {
        final Gcra requests = new Gcra();
        final Gcra window = new Gcra();
        final Gcra successes = new Gcra();
        final Gcra tokens = new Gcra();
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

        boolean enter(int limit) {
            if (inFlight.incrementAndGet() > limit) {
                inFlight.decrementAndGet();
                return false;
            }
            return true;
        }

        void leave() {
            inFlight.decrementAndGet();
        }

        int inFlight() {
            return inFlight.get();
        }
    }
}
