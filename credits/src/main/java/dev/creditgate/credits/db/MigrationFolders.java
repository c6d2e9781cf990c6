package dev.creditgate.credits.db;

import java.util.Arrays;

import org.flywaydb.core.api.Location;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Two migration folders serve the three databases: MariaDB runs the MySQL scripts (Flyway's {@code {vendor}}
 * placeholder names it {@code mariadb}; the DDL is the same) and H2 runs the PostgreSQL scripts (they use only
 * portable DDL; H2 reads {@code TEXT} as a character large object), instead of keeping copies of every script.
 */
@Configuration(proxyBeanMethods = false)
class MigrationFolders {

    @Bean
    FlywayConfigurationCustomizer sharedMigrationFolders() {
        return configuration -> configuration.locations(Arrays.stream(configuration.getLocations())
                .map(location -> new Location(location.getDescriptor()
                        .replaceAll("/mariadb$", "/mysql")
                        .replaceAll("/h2$", "/postgresql")))
                .toArray(Location[]::new));
    }
}
