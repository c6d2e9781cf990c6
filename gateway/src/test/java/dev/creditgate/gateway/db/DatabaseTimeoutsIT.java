package dev.creditgate.gateway.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import dev.creditgate.gateway.support.FreezableProxy;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;

/**
 * Security review finding 10: a hung database used to block request threads without end. Here PostgreSQL is reached
 * through a relay that stops passing bytes (connections stay open, as with a hung server or a dropped path): every
 * request that needs the database fails within the socket timeout instead of hanging, and once the relay passes
 * bytes again the gateway serves again without a restart.
 */
class DatabaseTimeoutsIT {

    @Test
    void aHungDatabaseFailsRequestsWithinTheTimeoutAndTheGatewayRecoversByItself() throws Exception {
        TestDatabases.Db pg = TestDatabases.postgres();
        Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(pg.url());
        assertThat(m.find()).as(pg.url()).isTrue();
        try (FreezableProxy proxy = new FreezableProxy(m.group(1), Integer.parseInt(m.group(2)))) {
            TestDatabases.Db viaProxy = new TestDatabases.Db(pg.url().replace(":" + m.group(2) + "/", ":" + proxy.port() + "/"),
                    pg.username(), pg.password(), pg.drop());
            try (RunningGateway gw = RunningGateway.start(viaProxy, "creditgate.db.socket-timeout=3s",
                    "spring.datasource.hikari.connection-timeout=1000")) {
                HikariDataSource pool = gw.context().getBean(HikariDataSource.class);
                assertThat(pool.getDataSourceProperties()).containsEntry("socketTimeout", "3").containsEntry("connectTimeout", "5");
                assertThat(gw.admin("GET", "/api/token/?p=1", null).status()).isEqualTo(200);

                proxy.freeze();
                List<Callable<long[]>> calls = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    calls.add(() -> {
                        Instant start = Instant.now();
                        int status = gw.admin("GET", "/api/token/?p=1", null).status();
                        return new long[] {status, Duration.between(start, Instant.now()).toMillis()};
                    });
                }
                try (ExecutorService pool40 = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (Future<long[]> f : pool40.invokeAll(calls)) {
                        long[] r = f.get();
                        assertThat(r[0]).as("status while the database hangs").isGreaterThanOrEqualTo(500);
                        assertThat(r[1]).as("ms to fail while the database hangs").isLessThan(15_000);
                    }
                }

                proxy.thaw();
                RunningGateway.Answer back = RunningGateway.await(Duration.ofSeconds(20),
                        () -> gw.admin("GET", "/api/token/?p=1", null), a -> a.status() == 200);
                assertThat(back.status()).isEqualTo(200);
            }
        } finally {
            pg.drop().run();
        }
    }
}
