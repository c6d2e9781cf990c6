package dev.creditgate.gateway.web;

import dev.creditgate.gateway.GatewayProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The management API ({@code /api/**}) needs the admin token, except {@code GET /api/status} (public, as in new-api). */
@Configuration(proxyBeanMethods = false)
class WebConfig implements WebMvcConfigurer {

    private final GatewayProperties properties;

    WebConfig(GatewayProperties properties) {
        this.properties = properties;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new AdminAuthInterceptor(properties.adminToken()))
                .addPathPatterns("/api/**")
                .excludePathPatterns("/api/status");
    }
}
