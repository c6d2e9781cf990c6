package dev.creditgate.e2e;

import java.util.Map;

import dev.creditgate.demo.SystemLauncher;

/** {@link KeyCreationScenarios} with both services on (embedded) PostgreSQL. */
class KeyCreationPostgresE2EIT extends KeyCreationScenarios {
    @Override
    SystemLauncher.Config config() {
        SystemLauncher.Config c = SystemLauncher.Config.inMemory("unused").withQuiet(true);
        Map<String, String> login = Map.of("spring.datasource.username", "postgres",
                "spring.datasource.password", "postgres");
        return new SystemLauncher.Config(c.host(), 0, 0, 0, EmbeddedPg.newDatabase(), EmbeddedPg.newDatabase(),
                c.gatewayAdminToken(), c.creditsAdminToken(), c.creditsServiceToken(), c.webhookSecret(), true,
                Map.of(), login, login);
    }
}
