package dev.creditgate.credits;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The credit platform: users, ledger, API keys, holds, usage webhooks. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class CreditsApplication {

    /** Properties come from {@code credits.yml}, so that the demo can run both apps in one JVM. */
    public static final String CONFIG_NAME = "credits";

    public static void main(String[] args) {
        System.setProperty("spring.config.name", CONFIG_NAME);
        SpringApplication.run(CreditsApplication.class, args);
    }

    /** Time source of holds, expiry and webhook windows; tests register their own movable clock first. */
    @Bean
    @ConditionalOnMissingBean(Clock.class)
    Clock clock() {
        return Clock.systemUTC();
    }
}
