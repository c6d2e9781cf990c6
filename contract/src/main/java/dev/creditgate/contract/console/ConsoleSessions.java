package dev.creditgate.contract.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of a web console (SPEC 5a), shared by both services: a login (with the admin token, or a key
 * holder's API key) opens a session whose random id travels in an HttpOnly SameSite=Strict cookie instead of the
 * token, with a per-session CSRF token that every state-changing form must echo. One-time login links (the demo's
 * one-click login) redeem once, within their lifetime.
 *
 * <p>Sessions live in this instance's memory: several instances behind a load balancer need sticky sessions for
 * the console (the API is stateless and unaffected). A restart logs everybody out. The store is bounded: beyond
 * {@code maxSessions} the expired ones are purged and then the oldest dropped.
 *
 * @param <P> who is logged in (an operator marker, a user id, ...)
 */
public final class ConsoleSessions<P> {

    /** A logged-in session. {@code csrf} goes into every form as a hidden field (or an htmx header). */
    public record Session<P>(String id, String csrf, P principal, Instant created, Instant lastSeen) {}

    private record Link<P>(P principal, Instant expires) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session<P>> sessions = new ConcurrentHashMap<>();
    private final Map<String, Link<P>> links = new ConcurrentHashMap<>();
    private final Duration idle;
    private final Duration absolute;
    private final int maxSessions;
    private final Clock clock;

    /**
     * @param idle        a session unused this long ends
     * @param absolute    a session ends this long after login, used or not
     * @param maxSessions at most this many sessions are kept
     */
    public ConsoleSessions(Duration idle, Duration absolute, int maxSessions, Clock clock) {
        this.idle = Objects.requireNonNull(idle, "idle");
        this.absolute = Objects.requireNonNull(absolute, "absolute");
        this.maxSessions = maxSessions;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** 30 minutes idle, 12 hours at most, 10,000 sessions. */
    public static <P> ConsoleSessions<P> standard(Clock clock) {
        return new ConsoleSessions<>(Duration.ofMinutes(30), Duration.ofHours(12), 10_000, clock);
    }

    /** Opens a session for a principal whose credentials the caller has checked. */
    public Session<P> open(P principal) {
        Instant now = clock.instant();
        if (sessions.size() >= maxSessions) {
            purge(now);
        }
        Session<P> session = new Session<>(randomId(), randomId(), Objects.requireNonNull(principal, "principal"), now, now);
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session with this id (from the cookie), its idle time restarted; empty when unknown or expired. */
    public Optional<Session<P>> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Session<P> session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now)) {
            sessions.remove(id, session);
            return Optional.empty();
        }
        Session<P> touched = new Session<>(session.id(), session.csrf(), session.principal(), session.created(), now);
        sessions.replace(id, session, touched);
        return Optional.of(touched);
    }

    /** Logs out. */
    public void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Ends every session of a principal (its key was disabled, its token rotated). */
    public void closeAll(P principal) {
        sessions.values().removeIf(s -> s.principal().equals(principal));
    }

    /** Whether a presented CSRF token is this session's, compared in constant time. */
    public static boolean csrfMatches(Session<?> session, String presented) {
        return presented != null && MessageDigest.isEqual(
                session.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** A one-time login code for a principal, valid for {@code ttl}. */
    public String oneTimeCode(P principal, Duration ttl) {
        String code = randomId();
        links.put(code, new Link<>(Objects.requireNonNull(principal, "principal"), clock.instant().plus(ttl)));
        return code;
    }

    /** Opens a session for a one-time code; the code is spent whether or not it was still valid. */
    public Optional<Session<P>> redeem(String code) {
        Link<P> link = code == null ? null : links.remove(code);
        if (link == null || !clock.instant().isBefore(link.expires())) {
            return Optional.empty();
        }
        return Optional.of(open(link.principal()));
    }

    public int size() {
        return sessions.size();
    }

    /**
     * The {@code Set-Cookie} value for a session cookie: HttpOnly, SameSite=Strict, scoped to {@code path},
     * {@code Secure} when the console was reached over HTTPS. An empty value with max-age 0 deletes it.
     */
    public static String cookie(String name, String value, String path, boolean secure) {
        StringBuilder out = new StringBuilder(name).append('=').append(value)
                .append("; Path=").append(path).append("; HttpOnly; SameSite=Strict");
        if (value.isEmpty()) {
            out.append("; Max-Age=0");
        }
        if (secure) {
            out.append("; Secure");
        }
        return out.toString();
    }

    private boolean expired(Session<P> session, Instant now) {
        return !now.isBefore(session.lastSeen().plus(idle)) || !now.isBefore(session.created().plus(absolute));
    }

    private void purge(Instant now) {
        sessions.values().removeIf(s -> expired(s, now));
        links.values().removeIf(l -> !now.isBefore(l.expires()));
        while (sessions.size() >= maxSessions) {
            Iterator<Session<P>> oldest = sessions.values().stream()
                    .sorted(java.util.Comparator.comparing(Session::lastSeen)).iterator();
            if (!oldest.hasNext()) {
                break;
            }
            sessions.remove(oldest.next().id());
        }
    }

    private static String randomId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
