package dev.creditgate.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The gateway refuses to start without a management token of 32+ characters, and says why. */
class GatewayPropertiesTest {

    @Test
    void refusesToStartWithoutAnAdminToken() {
        assertThatThrownBy(() -> start())
                .rootCause().hasMessageContaining("gateway.admin-token").hasMessageContaining("GATEWAY_ADMIN_TOKEN");
    }

    @Test
    void refusesAShortAdminToken() {
        assertThatThrownBy(() -> start("--gateway.admin-token=short"))
                .rootCause().hasMessageContaining("gateway.admin-token is 5 characters long (expected: >= 32)");
    }

    @Test
    void refusesNonPositiveLimits() {
        assertThatThrownBy(() -> new GatewayProperties("x".repeat(32), org.springframework.util.unit.DataSize.ofBytes(0),
                org.springframework.util.unit.DataSize.ofMegabytes(1), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), null, null))
                .hasMessageContaining("gateway.max-body-size: 0 (expected: > 0)");
    }

    private static void start(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--spring.config.name=gateway";
        all[1] = "--server.port=0";
        all[2] = "--spring.datasource.url=" + TestDatabases.h2().url();
        all[3] = "--gateway.secret-key=" + dev.creditgate.gateway.support.RunningGateway.SECRET_KEY;
        System.arraycopy(args, 0, all, 4, args.length);
        new SpringApplicationBuilder(GatewayApplication.class).run(all).close();
    }
}
