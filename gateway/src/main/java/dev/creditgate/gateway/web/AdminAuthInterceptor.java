package dev.creditgate.gateway.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

/** {@code Authorization: Bearer <gateway.admin-token>} on the management API, compared in constant time. */
final class AdminAuthInterceptor implements HandlerInterceptor {

    private final AdminToken adminToken;

    AdminAuthInterceptor(String adminToken) {
        this.adminToken = new AdminToken(adminToken);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String header = request.getHeader("Authorization");
        String presented = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim();
        }
        if (!adminToken.matches(presented)) {
            throw new GatewayException(ErrorCode.ADMIN_UNAUTHORIZED,
                    "missing or wrong admin token (expected: Authorization: Bearer <gateway.admin-token>)");
        }
        return true;
    }
}
