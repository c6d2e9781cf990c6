package dev.creditgate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Many threads hammer reserve/settle/refund on one user through real connections to a real
 * database; the balances must come out exact and never below zero. Concurrent reservations share transactions
 * (group commit) here as in the gateway.
 */
class QuotaStoreConcurrencyIT {

    private static final int ROUNDS = 5;
    private static final int THREADS = 32;

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.Vendor.class)
    void exactlyTheAffordableReservationsSucceed(TestDatabase.Vendor vendor) throws Exception {
        try (TestDatabase db = TestDatabase.create(vendor)) {
            Fixture f = new Fixture(db);
            int n = 20;
            long cost = 37;
            for (int round = 0; round < ROUNDS; round++) {
                // odd rounds: one token is the binding limit; even rounds: the user is, spent through
                // four keys (two of them unlimited) so that no token row lock serialises the calls
                boolean tokenBinds = round % 2 == 1;
                f.rows.clear();
                f.rows.user(1, tokenBinds ? 10 * n * cost : n * cost);
                f.rows.token(10, 1, tokenBinds ? n * cost : 10 * n * cost, false);
                f.rows.token(11, 1, 10 * n * cost, false);
                f.rows.token(12, 1, -1, true);
                f.rows.token(13, 1, -1, true);
                AtomicLong next = new AtomicLong();

                AtomicLong reserved = new AtomicLong();
                AtomicLong refusedOnTheBindingSide = new AtomicLong();
                ReserveOutcome.Status expectedRefusal = tokenBinds
                        ? ReserveOutcome.Status.TOKEN_QUOTA_SHORT : ReserveOutcome.Status.USER_QUOTA_SHORT;
                f.hammer(10 * n, () -> {
                    long tokenId = tokenBinds ? 10 : 10 + next.getAndIncrement() % 4;
                    ReserveOutcome o = f.store.reserve(tokenId, tokenId >= 12, 1, cost);
                    if (o.status() == ReserveOutcome.Status.RESERVED) {
                        reserved.incrementAndGet();
                        f.store.settle(o.reservation(), cost);
                    } else if (o.status() == expectedRefusal) {
                        refusedOnTheBindingSide.incrementAndGet();
                    }
                });

                assertThat(reserved).as("round %d", round).hasValue(n);
                assertThat(refusedOnTheBindingSide).as("round %d", round).hasValue(9L * n);
                assertThat(tokenBinds ? f.rows.tokenRemain(10) : f.rows.userQuota(1)).isZero();
                assertThat(f.rows.userQuota(1)).isEqualTo(tokenBinds ? 9 * n * cost : 0);
                assertThat(f.minSeen.get()).as("lowest balance observed").isGreaterThanOrEqualTo(0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.Vendor.class)
    void mixedReserveSettleRefundKeepsTheBooksExact(TestDatabase.Vendor vendor) throws Exception {
        try (TestDatabase db = TestDatabase.create(vendor)) {
            Fixture f = new Fixture(db);
            for (int round = 0; round < ROUNDS; round++) {
                long userQuota = 5_000;
                long tokenQuota = 4_000;
                f.rows.clear();
                f.rows.user(1, userQuota);
                f.rows.token(10, 1, tokenQuota, false);
                f.rows.token(11, 1, -1, true); // a second key of the same user, unlimited

                AtomicLong chargedOnLimited = new AtomicLong();
                AtomicLong chargedOnUnlimited = new AtomicLong();
                AtomicLong settled = new AtomicLong();
                f.hammer(400, () -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    boolean unlimited = random.nextBoolean();
                    long tokenId = unlimited ? 11 : 10;
                    long q = 1 + random.nextInt(150);
                    ReserveOutcome o = f.store.reserve(tokenId, unlimited, 1, q);
                    if (o.status() != ReserveOutcome.Status.RESERVED) {
                        return;
                    }
                    switch (random.nextInt(3)) {
                        case 0 -> f.store.refund(o.reservation());
                        default -> {
                            long actual = random.nextLong(q + 1); // at or below the estimate
                            f.store.settle(o.reservation(), actual);
                            (unlimited ? chargedOnUnlimited : chargedOnLimited).addAndGet(actual);
                            settled.incrementAndGet();
                        }
                    }
                });

                long charged = chargedOnLimited.get() + chargedOnUnlimited.get();
                assertThat(f.rows.userQuota(1)).as("round %d", round).isEqualTo(userQuota - charged);
                assertThat(f.rows.tokenRemain(10)).isEqualTo(tokenQuota - chargedOnLimited.get());
                assertThat(f.rows.tokenRemain(11)).isEqualTo(-1);
                assertThat(settled.get()).as("some calls settled").isPositive();
                assertThat(f.minSeen.get()).as("lowest balance observed").isGreaterThanOrEqualTo(0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.Vendor.class)
    void concurrentReservationsShareTransactionsAndStayExact(TestDatabase.Vendor vendor) throws Exception {
        try (TestDatabase db = TestDatabase.create(vendor)) {
            Fixture f = new Fixture(db);
            long cost = 10;
            f.rows.user(1, 150 * cost); // the user binds: 150 of 320 calls on four tokens
            f.rows.user(2, 1_000 * cost);
            for (long t = 10; t < 14; t++) {
                f.rows.token(t, 1, 1_000 * cost, false);
            }
            f.rows.token(20, 2, 60 * cost, false); // a token of another user binds: 60 of its 320 calls
            AtomicLong next = new AtomicLong();
            AtomicLong reservedOfUser1 = new AtomicLong();
            AtomicLong reservedOfToken20 = new AtomicLong();

            f.hammer(640, () -> {
                long i = next.getAndIncrement();
                boolean first = i % 2 == 0;
                ReserveOutcome o = first ? f.store.reserve(10 + (i / 2) % 4, false, 1, cost)
                        : f.store.reserve(20, false, 2, cost);
                if (o.status() == ReserveOutcome.Status.RESERVED) {
                    (first ? reservedOfUser1 : reservedOfToken20).incrementAndGet();
                } else {
                    assertThat(o.status()).isEqualTo(first ? ReserveOutcome.Status.USER_QUOTA_SHORT
                            : ReserveOutcome.Status.TOKEN_QUOTA_SHORT);
                    assertThat(o.remaining()).isLessThan(cost);
                }
            });

            assertThat(reservedOfUser1).hasValue(150);
            assertThat(reservedOfToken20).hasValue(60);
            assertThat(f.rows.userQuota(1)).isZero();
            assertThat(f.rows.tokenRemain(20)).isZero();
            assertThat(f.rows.userQuota(2)).isEqualTo(940 * cost);
            long tokens = 0;
            for (long t = 10; t < 14; t++) {
                tokens += f.rows.tokenRemain(t);
            }
            assertThat(tokens).as("refused user debits gave their token debits back").isEqualTo((4_000 - 150) * cost);
            assertThat(f.minSeen.get()).isGreaterThanOrEqualTo(0);
            assertThat(f.metrics.summary("gateway.quota.reserve.batch").count()).as("batches formed").isPositive();
        }
    }

    private static final class Fixture {
        final QuotaStore store;
        final QuotaRows rows;
        final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        final AtomicLong minSeen = new AtomicLong(Long.MAX_VALUE);

        Fixture(TestDatabase db) {
            db.migrated();
            JdbcClient jdbc = JdbcClient.create(db.dataSource());
            this.store = new QuotaStore(jdbc, new DataSourceTransactionManager(db.dataSource()), null, metrics);
            this.rows = new QuotaRows(jdbc);
        }

        /** Runs {@code calls} tasks on {@value #THREADS} threads released together, while sampling the balances. */
        void hammer(int calls, Runnable task) throws Exception {
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean done = new AtomicBoolean();
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    minSeen.accumulateAndGet(Math.min(rows.userQuota(1), rows.tokenRemain(10)), Math::min);
                }
            });
            try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    futures.add(pool.submit(() -> {
                        go.await();
                        task.run();
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> future : futures) {
                    future.get();
                }
            } finally {
                done.set(true);
                sampler.join();
            }
        }
    }
}
