package dev.creditgate.gateway.relay;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@link RelayLimits}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RelayLimits.class)
class RelayConfig {
}
