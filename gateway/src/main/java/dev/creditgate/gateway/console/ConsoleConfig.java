package dev.creditgate.gateway.console;

import java.time.Clock;

import dev.creditgate.contract.console.ConsoleSessions;
import dev.creditgate.gateway.GatewayProperties;
import dev.creditgate.gateway.web.AdminToken;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The operator console under {@code /console} (SPEC 5a): every page but the login form and the style sheet needs a
 * session; nothing here touches {@code /v1/**}.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfig implements WebMvcConfigurer {

    /** The only principal: whoever knows the gateway admin token. */
    static final String OPERATOR = "operator";

    private final ConsoleSessions<String> sessions;

    ConsoleConfig(Clock clock) {
        this.sessions = ConsoleSessions.standard(clock);
    }

    @Bean
    ConsoleSessions<String> consoleSessions() {
        return sessions;
    }

    @Bean
    ConsoleLogin consoleLogin(GatewayProperties properties, Clock clock) {
        return new ConsoleLogin(sessions, new AdminToken(properties.adminToken()), clock);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new ConsoleGuard(sessions))
                .addPathPatterns("/console", "/console/**")
                .excludePathPatterns("/console/login", "/console/console.css");
    }
}
