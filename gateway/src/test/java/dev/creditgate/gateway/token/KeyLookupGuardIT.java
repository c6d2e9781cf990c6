package dev.creditgate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
 * Security review finding 6: every random bearer key missed the cache and queried the database, so a flood of them
 * could drain the pool and make real requests wait. Now a client address that sent too many unknown keys gets 429
 * for uncached keys without a query (keys in the cache still work), and look-ups are bounded, so a flood against a
 * slow database takes at most a few of the pool's connections and is answered 503 quickly.
 */
class KeyLookupGuardIT {

    private static final String CHAT = "{\"model\":\"none\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void tooManyUnknownKeysFromOneAddressAreRefusedWithoutALookUpWhileCachedKeysStillWork() {
        try (RunningGateway gw = RunningGateway.start(TestDatabases.h2(), "gateway.token-cache-ttl=60s",
                "gateway.auth.max-failed-keys=10")) {
            String key = gw.admin("POST", "/api/token/", "{\"name\":\"ok\",\"remain_quota\":-1,\"unlimited_quota\":true}")
                    .data().path("key").asString();
            assertThat(gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key).status())
                    .as("a known key (now cached)").isNotIn(401, 429);
            for (int i = 0; i < 10; i++) {
                assertThat(gw.call("POST", "/v1/chat/completions", CHAT, "Bearer sk-" + UUID.randomUUID()).status())
                        .isEqualTo(401);
            }
            RunningGateway.Answer refused = gw.call("POST", "/v1/chat/completions", CHAT, "Bearer sk-" + UUID.randomUUID());
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.body()).contains("too many invalid API keys");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key).status())
                    .as("the cached key of the same address").isNotIn(401, 429);
        }
    }

    @Test
    void aFloodOfUnknownKeysAgainstAHungDatabaseTakesFewConnectionsAndIsAnsweredQuickly() throws Exception {
        TestDatabases.Db pg = TestDatabases.postgres();
        Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(pg.url());
        assertThat(m.find()).isTrue();
        try (FreezableProxy proxy = new FreezableProxy(m.group(1), Integer.parseInt(m.group(2)))) {
            TestDatabases.Db viaProxy = new TestDatabases.Db(pg.url().replace(":" + m.group(2) + "/", ":" + proxy.port() + "/"),
                    pg.username(), pg.password(), pg.drop());
            try (RunningGateway gw = RunningGateway.start(viaProxy, "creditgate.db.socket-timeout=4s",
                    "gateway.auth.max-failed-keys=1000")) {
                HikariDataSource pool = gw.context().getBean(HikariDataSource.class);
                proxy.freeze();
                List<Callable<long[]>> calls = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    calls.add(() -> {
                        long t0 = System.nanoTime();
                        RunningGateway.Answer a = gw.call("POST", "/v1/chat/completions", CHAT, "Bearer sk-" + UUID.randomUUID());
                        boolean lookupBusy = a.body().contains("key_lookup_busy");
                        return new long[] {a.status(), (System.nanoTime() - t0) / 1_000_000, lookupBusy ? 1 : 0};
                    });
                }
                int busy = 0;
                int maxActive = 0;
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<long[]>> results = new ArrayList<>();
                    for (Callable<long[]> c : calls) {
                        results.add(clients.submit(c));
                    }
                    long deadline = System.nanoTime() + 3_000_000_000L;
                    while (System.nanoTime() < deadline) {
                        maxActive = Math.max(maxActive, pool.getHikariPoolMXBean().getActiveConnections());
                        Thread.sleep(20);
                    }
                    for (Future<long[]> f : results) {
                        long[] r = f.get();
                        if (r[2] == 1) {
                            busy++;
                            assertThat(r[0]).isEqualTo(503);
                            assertThat(r[1]).as("ms to a 503 key_lookup_busy").isLessThan(4_000);
                        } else {
                            // a look-up that got its turn fails with the database (socket or connect timeout)
                            assertThat(r[0]).as("status of a look-up against the hung database").isGreaterThanOrEqualTo(500);
                        }
                    }
                }
                // the look-ups' connections plus the background jobs' (caches, log writer, outbox), never the pool
                assertThat(maxActive).as("connections in use during the flood (pool of 20)")
                        .isLessThanOrEqualTo(TokenAuthenticator.MAX_CONCURRENT_LOOKUPS + 4);
                // how many are shed depends on how fast the hung connections fail; that some are is the point
                assertThat(busy).as("answered 503 key_lookup_busy without a look-up").isPositive();
                proxy.thaw();
            }
        } finally {
            pg.drop().run();
        }
    }
}
