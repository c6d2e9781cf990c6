package dev.creditgate.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 200 concurrent holds on one key whose credit covers exactly 37 of them, sent to TWO service instances that
 * share one database: exactly 37 are granted and the available credit never goes below zero. Repeated.
 */
class HoldConcurrencyIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void exactly37Of200AcrossTwoInstances(String vendor) throws Exception {
        TestDatabases.Db db = BalanceEndpointIT.db(vendor);
        try (CreditsApp a = CreditsApp.start(db, null, Map.of());
             CreditsApp b = CreditsApp.start(db, null, Map.of())) {
            for (int round = 0; round < 3; round++) {
                // 1 hold = 0.01 USD = 1 credit at 100 credits/USD; the user has 37 credits
                String[] ids = a.userWithKey("37", 1000 + round);
                AtomicBoolean negativeSeen = new AtomicBoolean();
                AtomicBoolean done = new AtomicBoolean();
                Thread watcher = Thread.ofVirtual().start(() -> {
                    while (!done.get()) {
                        Long available = a.jdbc().sql("SELECT balance - held FROM users WHERE id = :id")
                                .param("id", ids[0]).query(Long.class).single();
                        if (available < 0) {
                            negativeSeen.set(true);
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // sample every ~1 ms
                    }
                });
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < 200; i++) {
                        CreditsApp target = i % 2 == 0 ? a : b;
                        String body = "{\"keyId\":\"" + ids[1] + "\",\"requestId\":\"r" + round + "-" + i
                                + "\",\"amountUsd\":0.01,\"ttlSeconds\":600,\"model\":\"m\"}";
                        results.add(pool.submit(() -> {
                            start.await();
                            return target.service("POST", "/api/credits/holds", body).status();
                        }));
                    }
                    start.countDown();
                }
                done.set(true);
                watcher.join();
                int granted = 0;
                int refused = 0;
                for (Future<Integer> f : results) {
                    int status = f.get();
                    if (status == 201) {
                        granted++;
                    } else if (status == 402) {
                        refused++;
                    }
                }
                assertThat(granted).as("granted on " + vendor + " round " + round).isEqualTo(37);
                assertThat(refused).isEqualTo(163);
                assertThat(negativeSeen).isFalse();
                var row = a.jdbc().sql("SELECT balance, held FROM users WHERE id = :id").param("id", ids[0])
                        .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
                assertThat(row[0]).isEqualTo(37_000_000L);
                assertThat(row[1]).isEqualTo(37_000_000L);
                assertThat(a.jdbc().sql("SELECT COUNT(*) FROM holds WHERE user_id = :id AND status = 'PENDING'")
                        .param("id", ids[0]).query(Long.class).single()).isEqualTo(37L);
                assertThat(b.service("GET", "/api/credits/balance/" + ids[1], null).json().get("credit").decimalValue())
                        .isEqualByComparingTo("0");
            }
        } finally {
            TestDatabases.drop(db);
        }
    }
}
