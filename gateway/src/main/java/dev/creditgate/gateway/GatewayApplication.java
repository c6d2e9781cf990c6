package dev.creditgate.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The gateway: an OpenAI/Anthropic-compatible relay with keys, quota, channels and logs. */
@SpringBootApplication
public class GatewayApplication {

    /** Properties come from {@code gateway.yml}, so that the demo can run both apps in one JVM. */
    public static final String CONFIG_NAME = "gateway";

    public static void main(String[] args) {
        System.setProperty("spring.config.name", CONFIG_NAME);
        SpringApplication.run(GatewayApplication.class, args);
    }
}
