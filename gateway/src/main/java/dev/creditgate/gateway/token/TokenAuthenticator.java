package dev.creditgate.gateway.token;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.creditgate.gateway.GatewayProperties;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.RateLimitedException;
import org.springframework.stereotype.Component;

/**
 * Step 1 of the relay: who is calling. Accepts {@code Authorization: Bearer sk-<key>}, the key without
 * {@code sk-}, and {@code x-api-key: <key>} (Anthropic clients).
 *
 * <p>Keys are looked up by their SHA-256 ({@link TokenKeys}): the table holds no key, and the cache is keyed by the
 * digest too, so a token change can drop its entry without knowing the key. Lookups are cached (Caffeine) for
 * {@code gateway.token-cache-ttl} (1 s by default), unknown keys included, so the hot path does not hit the database on
 * every request. A token change through the management API invalidates the entry at once on the instance that made
 * it; every other instance sees it when its entry expires, so disabling or deleting a token takes effect everywhere
 * within {@code gateway.token-cache-ttl}. {@code remain_quota} in the cached copy may be that old: quota enforcement
 * must use atomic SQL, not this copy. Only {@code native} tokens are refused here for {@code remain_quota <= 0}:
 * tokens of other sources are budgeted by their platform (through admission), whatever their local quota says.
 *
 * <p>Unknown keys cannot drain the database pool (security review finding 6): at most
 * {@link #MAX_CONCURRENT_LOOKUPS} look-ups run at once (a look-up that waits longer than
 * {@link #LOOKUP_WAIT} for its turn answers 503), and a client address that sent {@code gateway.auth.max-failed-keys}
 * (30) unknown keys within {@link #FAILURE_WINDOW} gets 429 for further keys that are not cached, without a look-up;
 * keys in the cache are served as before. Both are per instance.
 */
@Component
public class TokenAuthenticator {

    private record Entry(AuthenticatedToken auth, Integer userStatus) {}

    /** Database look-ups of keys at once (of the pool's 20 connections). */
    static final int MAX_CONCURRENT_LOOKUPS = 8;
    static final Duration LOOKUP_WAIT = Duration.ofSeconds(1);
    static final Duration FAILURE_WINDOW = Duration.ofSeconds(60);

    private final TokenRepository tokens;
    private final Clock clock;
    /**
     * Futures, so that a look-up runs outside the map's locks: with a synchronous {@code Cache.get(key, loader)} a
     * look-up hung on the database blocked every other key hashed to the same bin of the map for as long, past
     * {@link #LOOKUP_WAIT} ({@code KeyLookupGuardIT} saw 5 s). Concurrent requests with the same new key still share
     * one look-up.
     */
    private final AsyncCache<String, Optional<Entry>> cache;
    /** Unknown keys per client address within the window before its uncached keys are refused unseen. */
    private final int maxFailures;
    private final Semaphore lookups = new Semaphore(MAX_CONCURRENT_LOOKUPS, true);
    private final Cache<String, AtomicInteger> failures = Caffeine.newBuilder()
            .expireAfterWrite(FAILURE_WINDOW)
            .maximumSize(100_000)
            .build();

    TokenAuthenticator(TokenRepository tokens, Clock clock, GatewayProperties properties,
                       @org.springframework.beans.factory.annotation.Value("${gateway.auth.max-failed-keys:30}") int maxFailures) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("gateway.auth.max-failed-keys: " + maxFailures + " (expected: >= 1)");
        }
        this.tokens = tokens;
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(properties.tokenCacheTtl())
                .maximumSize(200_000)
                .buildAsync();
    }

    /**
     * @throws GatewayException 401 for a missing, unknown, disabled, expired or exhausted key; 403 when the
     *                          token's user is disabled or the client IP is not in the token's allow list
     */
    public AuthenticatedToken authenticate(String authorization, String xApiKey, String clientIp) {
        String key = extractKey(authorization, xApiKey);
        if (key == null) {
            throw new GatewayException(ErrorCode.INVALID_API_KEY,
                    "no API key provided (expected: Authorization: Bearer sk-...)");
        }
        if (key.length() > 64) {
            throw new GatewayException(ErrorCode.INVALID_API_KEY, "invalid API key (longer than 64 characters)");
        }
        String hash = TokenKeys.hash(key);
        CompletableFuture<Optional<Entry>> pending = cache.getIfPresent(hash);
        Optional<Entry> found;
        if (pending != null) {
            found = await(pending);
        } else {
            String client = clientIp == null ? "" : clientIp;
            AtomicInteger failed = failures.getIfPresent(client);
            if (failed != null && failed.get() >= maxFailures) {
                throw new RateLimitedException(ErrorCode.RATE_LIMITED_REQUESTS, "too many invalid API keys from "
                        + client + " (" + maxFailures + " within " + FAILURE_WINDOW.toSeconds() + " s)",
                        FAILURE_WINDOW.toNanos());
            }
            CompletableFuture<Optional<Entry>> mine = new CompletableFuture<>();
            pending = cache.asMap().putIfAbsent(hash, mine);
            if (pending == null) { // this request looks it up, on its own thread; a failure is not cached
                pending = mine;
                try {
                    mine.complete(lookUp(hash));
                } catch (RuntimeException e) {
                    cache.asMap().remove(hash, mine);
                    mine.completeExceptionally(e);
                }
            }
            found = await(pending);
            if (found.isEmpty()) {
                failures.get(client, c -> new AtomicInteger()).incrementAndGet();
            }
        }
        Entry entry = found.orElseThrow(() -> new GatewayException(ErrorCode.INVALID_API_KEY,
                "invalid API key " + preview(key)));
        Token t = entry.auth().token();
        switch (t.status()) {
            case Token.ENABLED -> { }
            case Token.EXPIRED -> throw expired(t);
            case Token.EXHAUSTED -> throw exhausted(t);
            default -> throw new GatewayException(ErrorCode.TOKEN_DISABLED, "token " + t.id() + " is disabled");
        }
        if (t.expiredTime() != -1 && t.expiredTime() < clock.instant().getEpochSecond()) {
            throw expired(t);
        }
        if (Token.SOURCE_NATIVE.equals(t.source()) && !t.unlimitedQuota() && t.remainQuota() <= 0) {
            throw exhausted(t);
        }
        if (entry.userStatus() != null && entry.userStatus() != 1) {
            throw new GatewayException(ErrorCode.USER_DISABLED, "user " + t.userId() + " is disabled");
        }
        if (!entry.auth().allowIps().allows(clientIp)) {
            throw new GatewayException(ErrorCode.IP_NOT_ALLOWED,
                    "client IP " + clientIp + " is not in token " + t.id() + "'s allow list");
        }
        return entry.auth();
    }

    /** @throws GatewayException 403 {@code model_not_allowed} when the token's model limits exclude the model */
    public void checkModel(AuthenticatedToken auth, String model) {
        if (!auth.allowsModel(model)) {
            throw new GatewayException(ErrorCode.MODEL_NOT_ALLOWED,
                    "model " + model + " is not allowed for token " + auth.token().id(), "model");
        }
    }

    /** Drops the cached entry of a key (by its digest) on this instance (called after every change to a token). */
    void invalidate(String keyHash) {
        cache.synchronous().invalidate(keyHash);
    }

    /** The look-up's result, or its failure as thrown by {@link #lookUp}. */
    private static Optional<Entry> await(CompletableFuture<Optional<Entry>> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** One database look-up, at most {@link #MAX_CONCURRENT_LOOKUPS} at once. */
    private Optional<Entry> lookUp(String keyHash) {
        boolean permitted;
        try {
            permitted = lookups.tryAcquire(LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            permitted = false;
        }
        if (!permitted) {
            throw new GatewayException(ErrorCode.KEY_LOOKUP_BUSY, "too many API key look-ups at once ("
                    + MAX_CONCURRENT_LOOKUPS + " running, waited " + LOOKUP_WAIT.toMillis() + " ms); try again");
        }
        try {
            return load(keyHash);
        } finally {
            lookups.release();
        }
    }

    private Optional<Entry> load(String keyHash) {
        return tokens.findForAuth(keyHash).map(w -> {
            Token t = w.token();
            String group = !t.group().isBlank() ? t.group()
                    : w.userGroup() != null && !w.userGroup().isBlank() ? w.userGroup() : "default";
            Set<String> limits = t.modelLimitsEnabled() ? parseModels(t.modelLimits()) : Set.of();
            if (t.modelLimitsEnabled() && limits.isEmpty()) {
                limits = Set.of("\u0000none"); // limits enabled with an empty list allow nothing
            }
            IpAllowList ips;
            try {
                ips = IpAllowList.parse(t.allowIps());
            } catch (IllegalArgumentException e) {
                ips = IpAllowList.parse("0.0.0.0/32"); // stored garbage: fail closed
            }
            return new Entry(new AuthenticatedToken(t, group, limits, ips), w.userStatus());
        });
    }

    static Set<String> parseModels(String csv) {
        if (csv == null || csv.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return Set.copyOf(out);
    }

    static String extractKey(String authorization, String xApiKey) {
        String raw = null;
        if (authorization != null && !authorization.isBlank()) {
            raw = authorization.strip();
            if (raw.regionMatches(true, 0, "Bearer", 0, 6) && (raw.length() == 6 || raw.charAt(6) == ' ')) {
                raw = raw.substring(6).strip();
            }
        } else if (xApiKey != null && !xApiKey.isBlank()) {
            raw = xApiKey.trim();
        }
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (raw.startsWith("sk-")) {
            raw = raw.substring(3);
        }
        return raw.isEmpty() ? null : raw;
    }

    private static String preview(String key) {
        return key.length() <= 8 ? "sk-****" : "sk-" + key.substring(0, 4) + "****" + key.substring(key.length() - 4);
    }

    private static GatewayException expired(Token t) {
        return new GatewayException(ErrorCode.TOKEN_EXPIRED, "token " + t.id() + " has expired");
    }

    private static GatewayException exhausted(Token t) {
        return new GatewayException(ErrorCode.TOKEN_EXHAUSTED, "token " + t.id() + " has no quota left");
    }
}
