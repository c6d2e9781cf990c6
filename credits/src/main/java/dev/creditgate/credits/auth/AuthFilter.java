package dev.creditgate.credits.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.credits.CreditsProperties;

/**
 * Who may call what.
 * <ul>
 *   <li>{@code /actuator/**}: open; {@code /api/webhooks/**}: open here, the HMAC signature is checked by the receiver;
 *       {@code /console/**}: open here, the console checks its own session cookie ({@code console.ConsoleAccess});</li>
 *   <li>{@code GET /api/credits/balance/**}: scope balance:read ({@code X-API-Key} = service or balance token);</li>
 *   <li>{@code /api/credits/holds/**} and {@code /api/credits/leases/**}: scope holds:write ({@code X-API-Key} =
 *       service token; the balance token gets 403);</li>
 *   <li>everything else: the admin token as {@code Authorization: Bearer}.</li>
 * </ul>
 * The admin bearer token is accepted everywhere. Tokens are compared in constant time (SHA-256 digests compared
 * with {@link MessageDigest#isEqual}, so neither content nor length leaks through timing).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AuthFilter extends OncePerRequestFilter {

    static final String UNAUTHORIZED = "{\"success\":false,\"message\":\"Unauthorized\"}";

    private final byte[] admin;
    private final byte[] service;
    private final byte[] balance;

    public AuthFilter(CreditsProperties props) {
        this.admin = digest(props.adminToken());
        this.service = digest(props.serviceToken());
        this.balance = props.balanceToken() == null || props.balanceToken().isBlank() ? null : digest(props.balanceToken());
    }

    private enum Need { NONE, BALANCE_READ, HOLDS_WRITE, ADMIN }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // the decoded, normalised path the dispatcher maps (not the raw URI: "/console/%2e%2e/api/users" is /api/users)
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Need need = need(request.getMethod(), path);
        if (need == Need.NONE || isAdmin(request)) {
            chain.doFilter(request, response);
            return;
        }
        String apiKey = request.getHeader(CreditApi.HEADER_API_KEY);
        byte[] given = apiKey == null ? null : digest(apiKey);
        boolean isService = given != null && MessageDigest.isEqual(given, service);
        boolean isBalance = given != null && balance != null && MessageDigest.isEqual(given, balance);
        switch (need) {
            case BALANCE_READ -> {
                if (isService || isBalance) {
                    chain.doFilter(request, response);
                    return;
                }
            }
            case HOLDS_WRITE -> {
                if (isService) {
                    chain.doFilter(request, response);
                    return;
                }
                if (isBalance) {
                    write(response, 403, "{\"success\":false,\"code\":\"forbidden\",\"message\":\"this token lacks scope holds:write\"}");
                    return;
                }
            }
            default -> {
                if (isService || isBalance) {
                    write(response, 403, "{\"success\":false,\"code\":\"forbidden\",\"message\":\"admin API: use the admin token (Authorization: Bearer)\"}");
                    return;
                }
            }
        }
        write(response, 401, UNAUTHORIZED);
    }

    private static Need need(String method, String path) {
        if (path.startsWith("/actuator/") || path.equals("/actuator") || path.startsWith("/api/webhooks/")
                || path.equals("/console") || path.startsWith("/console/")) {
            return Need.NONE;
        }
        if (path.startsWith(CreditApi.BALANCE_PATH) && "GET".equals(method)) {
            return Need.BALANCE_READ;
        }
        if (path.equals(CreditApi.HOLDS_PATH) || path.startsWith(CreditApi.HOLDS_PATH + "/")
                || path.equals(CreditApi.LEASES_PATH) || path.startsWith(CreditApi.LEASES_PATH + "/")) {
            return Need.HOLDS_WRITE;
        }
        return Need.ADMIN;
    }

    private boolean isAdmin(HttpServletRequest request) {
        String auth = request.getHeader("Authorization");
        if (auth == null || auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest(auth.substring(7).trim()), admin);
    }

    private static void write(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(body);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
