package dev.creditgate.gateway.web;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;

import dev.creditgate.gateway.GatewayProperties;

/**
 * The management API's body limit ({@code gateway.max-management-body-size}), checked before anything reads a
 * byte, authenticated or not: a body above it is refused with 413, and a body without a {@code Content-Length}
 * (chunked) with 411, since management clients (new-api's, the credit platform's, curl) send their small JSON
 * bodies with a length. Registered for {@code /api/*} only, so the relay routes pay nothing for it (they have their
 * own limit, {@code gateway.max-body-size}, in {@code RequestBodyReader}).
 */
@Configuration(proxyBeanMethods = false)
class ManagementBodyLimit {

    @Bean
    FilterRegistrationBean<Filter> managementBodyLimitFilter(GatewayProperties properties) {
        long limit = properties.maxManagementBodySize().toBytes();
        FilterRegistrationBean<Filter> bean = new FilterRegistrationBean<>(new LimitFilter(limit));
        bean.addUrlPatterns("/api/*");
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
        bean.setName("managementBodyLimit");
        return bean;
    }

    static final class LimitFilter implements Filter {
        private final long limit;

        LimitFilter(long limit) {
            this.limit = limit;
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            long length = request.getContentLengthLong();
            if (length > limit) {
                refuse((HttpServletResponse) res, 413, "request body of " + length + " bytes is larger than "
                        + limit + " bytes (gateway.max-management-body-size)");
                return;
            }
            if (length < 0 && request.getHeader("Transfer-Encoding") != null) {
                refuse((HttpServletResponse) res, 411, "a management request body needs a Content-Length");
                return;
            }
            chain.doFilter(req, res);
        }

        private static void refuse(HttpServletResponse response, int status, String message) throws IOException {
            response.setStatus(status);
            response.setHeader("Connection", "close"); // the unread body is not worth draining
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getWriter().write("{\"success\":false,\"message\":\"" + message + "\",\"data\":null}");
        }
    }
}
