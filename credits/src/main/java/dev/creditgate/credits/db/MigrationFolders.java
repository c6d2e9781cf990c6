package dev.creditgate.credits.db;

import java.util.Arrays;

import org.flywaydb.core.api.Location;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * MariaDB runs the MySQL migration scripts: Flyway's {@code {vendor}} placeholder names MariaDB
 * {@code mariadb}, and the DDL is the same, so its location is pointed at the {@code mysql} folder
 * instead of keeping a copy of every script.
 */
@Configuration(proxyBeanMethods = false)
class MigrationFolders {

    @Bean
    FlywayConfigurationCustomizer mariaDbRunsMySqlScripts() {
        return configuration -> configuration.locations(Arrays.stream(configuration.getLocations())
                .map(location -> location.getDescriptor().endsWith("/mariadb")
                        ? new Location(location.getDescriptor().replaceAll("/mariadb$", "/mysql"))
                        : location)
                .toArray(Location[]::new));
    }
}
