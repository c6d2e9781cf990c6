package dev.creditgate.gateway.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Leader/follower group commit: every caller gets its own result, batches form under load, failures fall back. */
class GroupCommitTest {

    private final List<Integer> sizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger alone = new AtomicInteger();

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String alone(Integer i) {
        alone.incrementAndGet();
        pause();
        return "alone-" + i;
    }

    @Test
    void aLoneCallerRunsAloneAndTheBatchIsNeverCalled() {
        GroupCommit<Integer, String> g = new GroupCommit<>(64, this::alone, items -> {
            throw new AssertionError("no batch for one");
        }, sizes::add);

        assertThat(g.run(1)).isEqualTo("alone-1");
        assertThat(g.run(2)).isEqualTo("alone-2");
        assertThat(sizes).isEmpty();
    }

    @Test
    void concurrentCallersShareBatchesAndEachGetsItsOwnResult() throws Exception {
        GroupCommit<Integer, String> g = new GroupCommit<>(8, this::alone, items -> {
            pause();
            return items.stream().map(i -> "batch-" + i).toList();
        }, sizes::add);

        ConcurrentHashMap<Integer, String> results = run(g, 32, 20);

        assertThat(results).hasSize(640);
        results.forEach((i, r) -> assertThat(r).endsWith("-" + i));
        assertThat(sizes).isNotEmpty().allMatch(n -> n >= 2 && n <= 8);
    }

    @Test
    void anItemTheBatchLeavesUndecidedRunsAloneAfterIt() throws Exception {
        GroupCommit<Integer, String> g = new GroupCommit<>(64, this::alone, items -> {
            pause();
            List<String> out = new ArrayList<>();
            items.forEach(i -> out.add(i % 2 == 0 ? null : "batch-" + i));
            return out;
        }, sizes::add);

        ConcurrentHashMap<Integer, String> results = run(g, 16, 10);

        results.forEach((i, r) -> {
            assertThat(r).endsWith("-" + i);
            if (r.startsWith("batch")) {
                assertThat(i % 2).isOne();
            }
        });
        assertThat(sizes).isNotEmpty();
    }

    @Test
    void aFailedBatchRunsEveryItemAlone() throws Exception {
        GroupCommit<Integer, String> g = new GroupCommit<>(64, this::alone, items -> {
            pause();
            throw new IllegalStateException("deadlock");
        }, sizes::add);

        ConcurrentHashMap<Integer, String> results = run(g, 16, 10);

        assertThat(results).hasSize(160).allSatisfy((i, r) -> assertThat(r).isEqualTo("alone-" + i));
        assertThat(sizes).isNotEmpty();
    }

    @Test
    void aCallerGetsItsOwnException() {
        GroupCommit<Integer, String> g = new GroupCommit<>(64, i -> {
            throw new IllegalArgumentException("item " + i);
        }, items -> items.stream().map(i -> "batch-" + i).toList(), sizes::add);

        assertThatThrownBy(() -> g.run(7)).isInstanceOf(IllegalArgumentException.class).hasMessage("item 7");
    }

    @Test
    void maxBatchOneRunsEverythingAlone() throws Exception {
        GroupCommit<Integer, String> g = new GroupCommit<>(1, this::alone, items -> {
            throw new AssertionError("no batches");
        }, sizes::add);

        assertThat(run(g, 8, 5)).hasSize(40).allSatisfy((i, r) -> assertThat(r).startsWith("alone"));
    }

    /** {@code threads} virtual threads, released together, each running {@code each} items; results by item. */
    private static ConcurrentHashMap<Integer, String> run(GroupCommit<Integer, String> g, int threads, int each)
            throws InterruptedException {
        ConcurrentHashMap<Integer, String> results = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            started.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = base; i < base + each; i++) {
                    results.put(i, g.run(i));
                }
            }));
        }
        go.countDown();
        for (Thread t : started) {
            t.join(30_000);
        }
        return results;
    }
}
