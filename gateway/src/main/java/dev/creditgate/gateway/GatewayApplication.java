package dev.creditgate.gateway;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The gateway: an OpenAI/Anthropic-compatible relay with keys, quota, channels and logs. */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

    /** Properties come from {@code gateway.yml}, so that the demo can run both apps in one JVM. */
    public static final String CONFIG_NAME = "gateway";

    public static void main(String[] args) {
        System.setProperty("spring.config.name", CONFIG_NAME);
        SpringApplication.run(GatewayApplication.class, args);
    }

    /** The gateway's time source; tests replace it to move time. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
