package dev.creditgate.gateway.console;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.creditgate.contract.console.ConsoleSessions;
import dev.creditgate.gateway.web.AdminToken;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Logging in and out of the console: the admin token (the management API's check, constant time) or a one-time
 * code ({@link #oneTimeLink}, the demo's one-click login) opens a session whose id goes into the
 * {@value #COOKIE} cookie (HttpOnly, SameSite=Strict, Path=/console, Secure over HTTPS).
 *
 * <p>Failed logins are throttled per client address: after {@value #MAX_FAILURES} failures within
 * {@link #FAILURE_WINDOW}, every login from there is refused until the window has passed, right token or not.
 */
public final class ConsoleLogin {

    static final String COOKIE = "cg_console";
    static final String PATH = "/console";
    static final int MAX_FAILURES = 5;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

    /** How a login attempt ended. */
    enum Outcome { OK, WRONG, THROTTLED }

    private final ConsoleSessions<String> sessions;
    private final AdminToken adminToken;
    private final Cache<String, AtomicInteger> failures;

    ConsoleLogin(ConsoleSessions<String> sessions, AdminToken adminToken, Clock clock) {
        this.sessions = sessions;
        this.adminToken = adminToken;
        this.failures = Caffeine.newBuilder().expireAfterWrite(FAILURE_WINDOW).maximumSize(100_000)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /** A path ({@code /console/login?code=...}) that logs the operator in once within {@code ttl}. */
    public String oneTimeLink(Duration ttl) {
        return PATH + "/login?code=" + sessions.oneTimeCode(ConsoleConfig.OPERATOR, ttl);
    }

    Outcome withToken(String token, HttpServletRequest request, HttpServletResponse response) {
        String client = request.getRemoteAddr();
        AtomicInteger failed = failures.getIfPresent(client);
        if (failed != null && failed.get() >= MAX_FAILURES) {
            return Outcome.THROTTLED;
        }
        if (!adminToken.matches(token)) {
            failures.asMap().computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
            return Outcome.WRONG;
        }
        open(sessions.open(ConsoleConfig.OPERATOR), request, response);
        return Outcome.OK;
    }

    boolean withCode(String code, HttpServletRequest request, HttpServletResponse response) {
        Optional<ConsoleSessions.Session<String>> session = sessions.redeem(code);
        session.ifPresent(s -> open(s, request, response));
        return session.isPresent();
    }

    void logout(HttpServletRequest request, HttpServletResponse response) {
        sessions.close(cookieValue(request));
        response.addHeader("Set-Cookie", ConsoleSessions.cookie(COOKIE, "", PATH, request.isSecure()));
    }

    private void open(ConsoleSessions.Session<String> session, HttpServletRequest request, HttpServletResponse response) {
        sessions.close(cookieValue(request)); // a new session id at every login (no fixation)
        response.addHeader("Set-Cookie", ConsoleSessions.cookie(COOKIE, session.id(), PATH, request.isSecure()));
    }

    static String cookieValue(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }
}
