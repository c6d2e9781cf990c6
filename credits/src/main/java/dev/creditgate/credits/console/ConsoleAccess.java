package dev.creditgate.credits.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

import dev.creditgate.contract.console.ConsoleSessions;
import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.apikey.ApiKeyService;
import dev.creditgate.credits.apikey.KeyLookup;

/**
 * Who may see which console page (SPEC 5a), as an interceptor on {@code /console/**} only (the API and its filters
 * are untouched). A login with the admin token (compared as SHA-256 digests in constant time, as {@code AuthFilter}
 * does) or with an ACTIVE API key (found by its hash, as stored) opens a {@link ConsoleSessions} session whose id
 * travels in the cookie {@value #COOKIE} (HttpOnly, SameSite=Strict, Path=/console, Secure over HTTPS). Every
 * request that is not a GET or HEAD must carry the session's CSRF token as the form field {@code _csrf}, else 403
 * and nothing runs; one that a browser says comes from another site ({@code Sec-Fetch-Site: cross-site}) is refused
 * as well, the login form included. Operator pages need the operator; {@code /console/me} needs a key holder whose key is still
 * ACTIVE (a disabled or deleted key ends its sessions on their next request).
 */
@Component
public class ConsoleAccess implements HandlerInterceptor {

    /** Distinct from the gateway console's cookie: both services may run on one host (cookies ignore ports). */
    static final String COOKIE = "cg_credits_console";
    static final String PATH = "/console";
    static final String SESSION = ConsoleAccess.class.getName() + ".session";
    static final String CSRF_FIELD = "_csrf";

    private final ConsoleSessions<Principal> sessions;
    private final LoginThrottle throttle;
    private final byte[] admin;
    private final ApiKeyService keys;
    private final KeyLookup keyLookup;

    ConsoleAccess(CreditsProperties props, ApiKeyService keys, KeyLookup keyLookup, Clock clock) {
        this.sessions = ConsoleSessions.standard(clock);
        this.throttle = new LoginThrottle(clock);
        this.admin = digest(props.adminToken());
        this.keys = keys;
        this.keyLookup = keyLookup;
    }

    /** A one-time operator login code for {@code /console/login?code=} (the demo's one-click login). */
    public String operatorLoginCode(Duration ttl) {
        return sessions.oneTimeCode(new Principal.Operator(), ttl);
    }

    /** The outcome of a login attempt. */
    sealed interface Login {
        record Ok(ConsoleSessions.Session<Principal> session) implements Login {
        }

        record Refused() implements Login {
        }

        record Throttled(long retryAfterSeconds) implements Login {
        }
    }

    Login login(String token, String client) {
        long wait = throttle.retryAfterSeconds(client);
        if (wait > 0) {
            return new Login.Throttled(wait);
        }
        Optional<Principal> who = principalOf(token);
        if (who.isEmpty()) {
            throttle.failed(client);
            return new Login.Refused();
        }
        throttle.succeeded(client);
        return new Login.Ok(sessions.open(who.get()));
    }

    Optional<ConsoleSessions.Session<Principal>> redeem(String code) {
        return sessions.redeem(code);
    }

    private Optional<Principal> principalOf(String token) {
        if (token == null || token.isBlank() || token.length() > 512) {
            return Optional.empty();
        }
        String t = token.trim();
        if (MessageDigest.isEqual(digest(t), admin)) {
            return Optional.of(new Principal.Operator());
        }
        return keys.activeByValue(t).map(k -> new Principal.Holder(k.userId(), k.id()));
    }

    void logout(HttpServletRequest request) {
        sessions.close(cookieValue(request));
    }

    static String sessionCookie(HttpServletRequest request, String value) {
        return ConsoleSessions.cookie(COOKIE, value, PATH, request.isSecure());
    }

    @SuppressWarnings("unchecked")
    static ConsoleSessions.Session<Principal> session(HttpServletRequest request) {
        return (ConsoleSessions.Session<Principal>) request.getAttribute(SESSION);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws IOException {
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy",
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        boolean reading = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        if (!reading && "cross-site".equals(request.getHeader("Sec-Fetch-Site"))) {
            // a form posted from another site (the login included: no logging a victim into someone else's session)
            refuse(response, 403, "Refused: this form was sent from another site.");
            return false;
        }
        if (path.equals(PATH + "/login") || path.equals(PATH + "/console.css")) {
            return true;
        }
        Optional<ConsoleSessions.Session<Principal>> found = sessions.find(cookieValue(request));
        if (found.isEmpty()) {
            if (reading) {
                response.setStatus(303);
                response.setHeader(HttpHeaders.LOCATION, PATH + "/login");
            } else {
                refuse(response, 403, "No console session (log in again).");
            }
            return false;
        }
        ConsoleSessions.Session<Principal> session = found.get();
        if (!reading && !ConsoleSessions.csrfMatches(session, request.getParameter(CSRF_FIELD))) {
            refuse(response, 403, "Refused: this form did not carry the session's CSRF token. Reload the page and try again.");
            return false;
        }
        request.setAttribute(SESSION, session);
        if (path.equals(PATH + "/logout")) {
            return true;
        }
        boolean holderPage = path.equals(PATH + "/me") || path.startsWith(PATH + "/me/");
        Principal who = session.principal();
        if (holderPage && who instanceof Principal.Holder h) {
            boolean stillActive = keyLookup.byId(h.keyId()).filter(KeyLookup.KeyRef::active)
                    .filter(k -> k.userId().equals(h.userId())).isPresent();
            if (!stillActive) {
                sessions.closeAll(who);
                response.setStatus(303);
                response.setHeader(HttpHeaders.LOCATION, PATH + "/login?ended");
                return false;
            }
            return true;
        }
        if (!holderPage && who instanceof Principal.Operator) {
            return true;
        }
        refuse(response, 403, holderPage ? "This page is for key holders: log in with an API key."
                : "Operators only: this session belongs to a key holder (see /console/me).");
        return false;
    }

    private static String cookieValue(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    /** A fixed page (no request content echoed). */
    private static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        response.getWriter().write("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>" + status
                + "</title><link rel=stylesheet href=\"/console/console.css\"></head><body><main class=narrow><h1>" + status
                + "</h1><p class=error>" + message + "</p><p><a href=\"/console/login\">Log in</a></p></main></body></html>");
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
