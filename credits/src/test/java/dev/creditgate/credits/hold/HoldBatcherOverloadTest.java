package dev.creditgate.credits.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import dev.creditgate.credits.web.ApiError;

/**
 * Security review finding 10 (hold path): a lane whose database is slow refuses beyond its queue at once, drops
 * the units its callers stopped waiting for (they never run: no hold is granted after its caller gave up), and
 * still hands a unit that had started its result.
 */
class HoldBatcherOverloadTest {

    private final TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(
            new DriverManagerDataSource("jdbc:h2:mem:overload;DB_CLOSE_DELAY=-1")));

    @Test
    void aFullQueueRefusesAtOnceAndUnitsPastTheirDeadlineNeverRun() throws Exception {
        CountDownLatch slowDatabase = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        try (HoldBatcher batcher = new HoldBatcher(tx, 1, 128, size -> { }, 2, Duration.ofMillis(300))) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> batcher.run("u1", () -> {
                firstStarted.countDown();
                await(slowDatabase);
                return "first";
            }));
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> batcher.run("u2", () -> {
                ran.incrementAndGet();
                return "second";
            }));
            CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> batcher.run("u3", () -> {
                ran.incrementAndGet();
                return "third";
            }));
            while (batcher.queued() < 2) {
                Thread.sleep(5); // until both wait in the lane
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> batcher.run("u4", ran::incrementAndGet))
                    .isInstanceOf(HoldBatcher.Busy.class).hasMessageContaining("queue full");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(200);

            assertThatThrownBy(second::join).hasCauseInstanceOf(HoldBatcher.Busy.class)
                    .hasMessageContaining("not started within 300 ms");
            assertThatThrownBy(third::join).hasCauseInstanceOf(HoldBatcher.Busy.class);
            assertThat(((HoldBatcher.Busy) catchCause(second)).error()).isEqualTo(ApiError.BUSY);

            slowDatabase.countDown(); // the first unit had started: its caller waits for it past the deadline
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(batcher.run("u5", () -> "after")).isEqualTo("after");
            Thread.sleep(100); // give a wrongly kept unit the time to run
            assertThat(ran).as("units whose callers gave up").hasValue(0);
        }
    }

    private static Throwable catchCause(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
