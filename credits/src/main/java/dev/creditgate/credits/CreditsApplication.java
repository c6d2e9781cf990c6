package dev.creditgate.credits;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The credit platform: users, ledger, API keys, holds, usage webhooks. */
@SpringBootApplication
public class CreditsApplication {

    /** Properties come from {@code credits.yml}, so that the demo can run both apps in one JVM. */
    public static final String CONFIG_NAME = "credits";

    public static void main(String[] args) {
        System.setProperty("spring.config.name", CONFIG_NAME);
        SpringApplication.run(CreditsApplication.class, args);
    }
}
