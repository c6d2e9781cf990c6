package dev.creditgate.gateway.console;

import java.util.Optional;

import dev.creditgate.contract.console.ConsoleSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Every console request but the login: a live session from the cookie (else the login page, or 403 for a form
 * post), and on every state-changing request the session's CSRF token in the {@code _csrf} field (else 403,
 * nothing changed). Pages are never cached and never framed.
 */
final class ConsoleGuard implements HandlerInterceptor {

    static final String SESSION = ConsoleGuard.class.getName() + ".session";

    private final ConsoleSessions<String> sessions;

    ConsoleGuard(ConsoleSessions<String> sessions) {
        this.sessions = sessions;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        securityHeaders(response);
        Optional<ConsoleSessions.Session<String>> session = sessions.find(ConsoleLogin.cookieValue(request));
        boolean changes = !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod());
        if (session.isEmpty()) {
            if (changes) {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "no console session (log in again)");
            } else {
                response.sendRedirect(request.getContextPath() + "/console/login");
            }
            return false;
        }
        if (changes && !ConsoleSessions.csrfMatches(session.get(), request.getParameter("_csrf"))) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or wrong CSRF token (reload the page)");
            return false;
        }
        request.setAttribute(SESSION, session.get());
        return true;
    }

    static void securityHeaders(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    }
}
