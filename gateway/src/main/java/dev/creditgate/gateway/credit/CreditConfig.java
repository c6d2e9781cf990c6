package dev.creditgate.gateway.credit;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The credit platform client and the decision pieces as Spring beans; all of them read the options through
 * {@link CreditOptions} on every call.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CreditProperties.class)
class CreditConfig {

    @Bean
    LastKnownBalances lastKnownBalances(Clock clock) {
        return new LastKnownBalances(LastKnownBalances.DEFAULT_MAX_KEYS, LastKnownBalances.DEFAULT_MAX_AGE, clock);
    }

    @Bean(destroyMethod = "close")
    CreditPlatformClient creditPlatformClient(CreditOptions options, MeterRegistry metrics, LastKnownBalances lastKnown,
                                              CreditProperties properties, Clock clock) {
        return new CreditPlatformClient(options::platform, metrics, lastKnown,
                new BreakerSettings(properties.breakerFailures(), properties.breakerOpenWait()), clock);
    }

    @Bean
    FallbackPolicy fallbackPolicy(CreditOptions options, LastKnownBalances lastKnown, MeterRegistry metrics,
                                  Clock clock, CreditProperties properties) {
        return new FallbackPolicy(options::fallback, lastKnown, metrics, clock, properties.fallbackWindow());
    }

    /** Renewal of running requests' holds ({@link ActiveHolds}): the platform's extend call. */
    @Bean
    ActiveHolds.HoldExtender holdExtender(CreditPlatformClient client) {
        return (holdId, ttlSeconds) -> client.extendHold(holdId, ttlSeconds) instanceof SettleResult.Settled;
    }

    @Bean
    CreditCheck creditCheck(CreditPlatformClient client, FallbackPolicy fallback) {
        return new CreditCheck(client, fallback);
    }
}
