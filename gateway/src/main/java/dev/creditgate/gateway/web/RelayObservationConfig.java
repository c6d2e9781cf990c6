package dev.creditgate.gateway.web;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Spring's {@code http.server.requests} observation is turned off for the relay routes ({@code /v1/**}, and Google's
 * {@code /v1beta/**}): they have
 * their own meters ({@code gateway.relay.requests}, {@code gateway.upstream.latency}), and the observation's start
 * and stop cost about 4 % of the gateway's CPU per relayed request (measured, GATEWAY.md "Performance"). The
 * management API and actuator keep it.
 */
@Configuration(proxyBeanMethods = false)
class RelayObservationConfig {

    static final String RELAY_PREFIX = "/v1/";
    static final String GEMINI_PREFIX = "/v1beta/";

    @Bean
    ObservationPredicate noServerObservationForRelay() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && server.getCarrier() != null
                && (server.getCarrier().getRequestURI().startsWith(RELAY_PREFIX)
                        || server.getCarrier().getRequestURI().startsWith(GEMINI_PREFIX)));
    }
}
