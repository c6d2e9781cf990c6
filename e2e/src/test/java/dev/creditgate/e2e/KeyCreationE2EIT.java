package dev.creditgate.e2e;

import dev.creditgate.demo.SystemLauncher;

/** {@link KeyCreationScenarios} on H2 in memory. */
class KeyCreationE2EIT extends KeyCreationScenarios {
    @Override
    SystemLauncher.Config config() {
        return SystemLauncher.Config.inMemory("keycreation").withQuiet(true);
    }
}
