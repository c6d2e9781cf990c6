package dev.creditgate.credits.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.creditgate.contract.HoldOutcome;
import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;

/**
 * Group commit: requests that meet in one batch (one transaction) still get exactly the outcome each would have
 * had alone. The user's lane is held busy by a blocking unit while the requests queue up one by one (in a known
 * order), so the next batch deterministically contains all of them.
 */
class HoldBatcherIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void mixedBatchGivesExactPerRequestOutcomes(String vendor) throws Exception {
        TestDatabases.Db db = TestDatabases.of(vendor);
        try (CreditsApp app = CreditsApp.start(db, null, Map.of("credits.holds.sweep-interval", "1h"));
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            String[] ids = app.userWithKey("3", 7); // 3 credits = 3,000,000 micro-credits; 1 USD = 100 credits
            String user = ids[0];
            String key = ids[1];
            HoldService holds = app.context.getBean(HoldService.class);
            HoldBatcher batcher = holds.batcher();

            List<Future<Object>> f;
            try (LaneBlocker blocker = new LaneBlocker(batcher, user)) {
                f = queueInOrder(batcher, callers, List.of(
                        () -> holds.grant(key, "r1", usd("0.01"), 300, "m"),   // 1 credit: granted, 2 left
                        () -> holds.grant(key, "r1", usd("0.01"), 300, "m"),   // same requestId: the same hold
                        () -> holds.grant(key, "r2", usd("0.05"), 300, "m"),   // 5 credits: refused
                        () -> holds.grant(key, "r3", usd("0.015"), 300, "m"),  // 1.5 credits: granted, 0.5 left
                        () -> holds.grant(key, "r4", usd("0.01"), 300, "m"),   // 1 credit: refused
                        () -> holds.grant(key, "r5", usd("0.005"), 300, "m")));// 0.5 credit: granted, 0 left
            }
            var r1 = (HoldService.Granted) get(f.get(0));
            var r1again = (HoldService.Granted) get(f.get(1));
            var r2 = (HoldService.Refused) get(f.get(2));
            var r3 = (HoldService.Granted) get(f.get(3));
            var r4 = (HoldService.Refused) get(f.get(4));
            var r5 = (HoldService.Granted) get(f.get(5));
            assertThat(batcher.largestBatch()).as("all six shared one transaction").isEqualTo(6);

            assertThat(r1.replayed()).isFalse();
            assertThat(r1.available()).isEqualTo(2_000_000L);
            assertThat(r1again.replayed()).isTrue();
            assertThat(r1again.hold().id()).isEqualTo(r1.hold().id());
            assertThat(r2.needed()).isEqualTo(5_000_000L);
            assertThat(r2.available()).isZero(); // read after the batch committed
            assertThat(r3.replayed()).isFalse();
            assertThat(r3.available()).isEqualTo(500_000L);
            assertThat(r4.needed()).isEqualTo(1_000_000L);
            assertThat(r5.available()).isZero();

            var row = app.jdbc().sql("SELECT balance, held FROM users WHERE id = :id").param("id", user)
                    .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
            assertThat(row).containsExactly(3_000_000L, 3_000_000L);
            assertThat(app.jdbc().sql("SELECT request_id FROM holds WHERE user_id = :u ORDER BY request_id")
                    .param("u", user).query(String.class).list()).containsExactly("r1", "r3", "r5");

            // a unit that fails makes its whole batch roll back; every unit is then run alone: the others still
            // get their own outcome, the failing one its exception
            List<Future<Object>> g;
            try (LaneBlocker blocker = new LaneBlocker(batcher, user)) {
                g = queueInOrder(batcher, callers, List.of(
                        () -> holds.release(r1.hold().id()),
                        () -> batcher.run(user, () -> {
                            app.jdbc().sql("UPDATE users SET held = 0 WHERE id = :id").param("id", user).update();
                            throw new IllegalStateException("boom");
                        }),
                        () -> holds.grant(key, "r6", usd("0.01"), 300, "m"),
                        () -> holds.capture(r3.hold().id(), usd("0.02"), "evt-r3", null)));
            }
            var released = (HoldService.OutcomeResult) get(g.get(0));
            assertThat(released.outcome()).isEqualTo(HoldOutcome.RELEASED);
            assertThatThrownBy(() -> get(g.get(1))).hasRootCauseMessage("boom");
            var r6 = (HoldService.Granted) get(g.get(2));
            assertThat(r6.available()).isZero();
            var captured = (HoldService.OutcomeResult) get(g.get(3));
            assertThat(captured.outcome()).isEqualTo(HoldOutcome.CAPTURED);
            assertThat(captured.captured()).isEqualTo(2_000_000L);
            // 3 - 2 captured = 1 credit; held: r5 (0.5) + r6 (1) = 1.5; the failed unit's update did not stay
            row = app.jdbc().sql("SELECT balance, held FROM users WHERE id = :id").param("id", user)
                    .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
            assertThat(row).containsExactly(1_000_000L, 1_500_000L);
            assertThat(app.jdbc().sql("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u")
                    .param("u", user).query(Long.class).single()).isEqualTo(1_000_000L);
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static BigDecimal usd(String v) {
        return new BigDecimal(v);
    }

    private static Object get(Future<Object> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Submits each call and waits until it is queued in the (blocked) lane before the next, so the order is known. */
    private static List<Future<Object>> queueInOrder(HoldBatcher batcher, ExecutorService callers,
                                                     List<Callable<Object>> calls) throws InterruptedException {
        List<Future<Object>> out = new ArrayList<>();
        int base = batcher.queued();
        for (Callable<Object> call : calls) {
            out.add(callers.submit(call));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (batcher.queued() < base + out.size()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("request " + out.size() + " never reached the batcher");
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        return out;
    }

    /** Keeps the user's lane busy (a unit that waits) until closed; then the next batch takes all that queued. */
    private static final class LaneBlocker implements AutoCloseable {
        private final CountDownLatch running = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        LaneBlocker(HoldBatcher batcher, String userId) throws InterruptedException {
            thread = Thread.ofVirtual().start(() -> batcher.run(userId, () -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join();
        }
    }
}
