package dev.creditgate.gateway.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * {@code Authorization: Bearer <gateway.admin-token>} on the management API. The comparison is constant time
 * (both sides are hashed first, so not even the length leaks).
 */
final class AdminAuthInterceptor implements HandlerInterceptor {

    private final byte[] expectedDigest;

    AdminAuthInterceptor(String adminToken) {
        this.expectedDigest = sha256(adminToken);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String header = request.getHeader("Authorization");
        String presented = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim();
        }
        if (presented == null || !MessageDigest.isEqual(expectedDigest, sha256(presented))) {
            throw new GatewayException(ErrorCode.ADMIN_UNAUTHORIZED,
                    "missing or wrong admin token (expected: Authorization: Bearer <gateway.admin-token>)");
        }
        return true;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
