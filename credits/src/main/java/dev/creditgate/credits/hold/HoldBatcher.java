package dev.creditgate.credits.hold;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for the hold path: many holds, captures and releases of one instance share ONE transaction, so
 * one commit (one WAL flush) and one wait for the user's row lock serve all of them.
 *
 * <p>Why: every hold, capture and release updates the user's row ({@code users.held} / {@code balance}), and the
 * database keeps that row locked until the commit has been flushed. On one hot user, one transaction per request
 * therefore serialises the requests at one commit latency each (measured: 181 holds/s on PostgreSQL). Batching
 * them pays that latency once per batch. (A per-transaction {@code synchronous_commit = off} would also remove the
 * wait, but a granted hold or a capture could then be lost in a crash after it was answered: not for money.)
 *
 * <p>How: {@link #run} hands a unit of work (the statements of one request, which must not commit on their own)
 * to a lane (one thread per lane, chosen by the user id, so one user's requests meet in one lane) and waits. The
 * lane takes whatever queued while its previous batch ran (no artificial delay: a lone request is not held back;
 * under load batches grow by themselves, up to {@code maxBatch}), runs the units in one transaction and commits;
 * only then are the results handed back. A unit is of a kind ({@link Together}): the units of one user and one
 * kind that queued in a row are handed to their kind at once, in their order, so that it can run them as a few
 * multi-row statements instead of a few statements each ({@link HoldBatch}: one lock of the user's row, one
 * {@code INSERT} of every granted hold, one {@code UPDATE} of every settled one, one of the user). A plain
 * {@link Supplier} is a kind whose units run one after the other. The guarantees stay in SQL: each unit still runs its own
 * conditional statements ({@code UPDATE users SET held = held + :amt WHERE id = :u AND balance - held >= :amt},
 * {@code UPDATE holds ... WHERE status = 'PENDING'}, insert-ignore on {@code request_id}), and reports a refused
 * or lost race through the row count, never through an exception, so one refused request leaves the others of its
 * batch intact. They therefore hold across instances sharing the database exactly as without batching.
 *
 * <p>Failure isolation: when the batch transaction fails as a whole (a unit threw, a deadlock with another
 * instance, a lost connection), nothing of it was committed, and every unit is run again alone in its own
 * transaction: each caller gets the outcome it would have had without batching. Units are idempotent (their
 * conditional statements find the work done if a lost commit did land), so running one again is safe.
 * A kind may also throw on purpose when a batch of several units cannot give each its own outcome (e.g. an
 * insert-ignore that skipped a row without saying which): run alone, each unit can. Units are ordered by user id
 * inside a batch (stably: one user's keep their order), so batches of different instances lock user rows in one
 * order.
 * A lane runs one batch at a time: a batch waiting for a row another instance holds delays the other users of its
 * lane for that long (more lanes, fewer users sharing one).
 *
 * <p>Overload: each lane queues at most {@code queueCapacity} units, and a unit that has not started within
 * {@code deadline} of being queued never runs. Either way the caller gets {@link Busy} (503) at once or at its
 * deadline, and nothing of its unit happened: a hold is never granted after its caller gave up on it (it would lock
 * credit until its TTL). A unit that has started runs to its end (its statements are bounded by the statement
 * timeout) and the caller waits for it.
 */
final class HoldBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HoldBatcher.class);

    /** Refused for overload (503 {@code busy}); nothing of the unit ran. */
    static final class Busy extends dev.creditgate.credits.web.ApiException {
        Busy(String message) {
            super(dev.creditgate.credits.web.ApiError.BUSY, message);
        }
    }

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final TransactionTemplate tx;
    private final int maxBatch;
    private final int queueCapacity;
    private final long deadlineNanos;
    private final IntConsumer batchSizes;
    private final Lane[] lanes;
    private final Thread[] threads;
    private final AtomicInteger largestBatch = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param tx         the transactions the batches run in
     * @param lanes      independent lanes (threads, at most one connection each); a user always uses the same lane
     * @param maxBatch   most units in one transaction
     * @param batchSizes told the size of every batch (a metric)
     * @param queueCapacity most units waiting in one lane; beyond it a unit is refused ({@link Busy})
     * @param deadline      a unit not started this long after it was queued is dropped ({@link Busy})
     */
    HoldBatcher(TransactionTemplate tx, int lanes, int maxBatch, IntConsumer batchSizes, int queueCapacity,
                java.time.Duration deadline) {
        if (lanes < 1 || maxBatch < 1 || queueCapacity < 1 || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("lanes, maxBatch, queueCapacity and deadline must be > 0");
        }
        this.tx = tx;
        this.maxBatch = maxBatch;
        this.queueCapacity = queueCapacity;
        this.deadlineNanos = deadline.toNanos();
        this.batchSizes = batchSizes;
        this.lanes = new Lane[lanes];
        this.threads = new Thread[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane(queueCapacity);
            this.threads[i] = Thread.ofPlatform().daemon().name("hold-batcher-" + i).start(this.lanes[i]);
        }
    }

    /**
     * A kind of unit whose units run together: {@link #runAll} is given the units of one user of this kind that
     * queued in a row, in their order, and runs them in the current transaction, under the same rules as
     * {@link #run(String, Supplier)}'s work.
     */
    interface Together<U, R> {
        /**
         * One result per unit, in the units' order. {@code last}: nothing runs after these units in the transaction,
         * so they may commit it with their last statements ({@link dev.creditgate.credits.db.Sql#run(List, boolean)}),
         * provided that nothing of theirs can fail after that.
         */
        List<R> runAll(String userId, List<U> units, boolean last);
    }

    /** Plain units: each its own statements, one after the other. */
    private static final Together<Supplier<?>, Object> ONE_BY_ONE = (userId, units, last) -> {
        List<Object> out = new ArrayList<>(units.size());
        for (Supplier<?> unit : units) {
            out.add(unit.get());
        }
        return out;
    };

    /**
     * Runs {@code work} inside a transaction, possibly shared with other requests' work, and returns its result
     * once that transaction committed. {@code work} must only run SQL on the current transaction (no commit, no
     * rollback, no side effect outside the database: it may run twice, see the class comment) and must report
     * refusals through its result. Exceptions of {@code work}, or of its commit, are thrown here. {@code work} runs
     * on the lane's thread, so it never sees a transaction of the caller: do not call this from inside one.
     */
    @SuppressWarnings("unchecked")
    <R> R run(String userId, Supplier<R> work) {
        return (R) run(userId, ONE_BY_ONE, work);
    }

    /** {@link #run(String, Supplier)} for a unit of a {@link Together} kind. */
    @SuppressWarnings("unchecked")
    <U, R> R run(String userId, Together<U, R> kind, U unit) {
        Job<R> job = new Job<>(userId, (Together<Object, Object>) kind, unit, new CompletableFuture<>(),
                new AtomicInteger(QUEUED));
        if (closed) {
            runAlone(job);
        } else if (!lanes[Math.floorMod(userId.hashCode(), lanes.length)].offer(job)) {
            throw new Busy("hold queue full (" + queueCapacity + " waiting in this lane)");
        }
        try {
            return awaitResult(job);
        } catch (CompletionException | ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private <R> R awaitResult(Job<R> job) throws ExecutionException {
        try {
            return job.result.get(deadlineNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (job.state().compareAndSet(QUEUED, ABANDONED)) {
                throw new Busy("hold not started within " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                        + " ms (database slow or overloaded)");
            }
            return job.result.join(); // it started: wait for its end, bounded by the statement timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (job.state().compareAndSet(QUEUED, ABANDONED)) {
                throw new Busy("interrupted while queued");
            }
            return job.result.join();
        }
    }

    /** Lets every lane finish what it was given (up to 10 s in all); later requests run alone in the caller. */
    @Override
    public void close() {
        closed = true;
        long deadline = System.nanoTime() + 10_000_000_000L;
        try {
            for (Lane lane : lanes) {
                lane.queue.offer(Lane.STOP, 1, TimeUnit.SECONDS); // the slot kept free for it, unless a race took it
            }
            for (Thread t : threads) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Job<R>(String userId, Together<Object, Object> kind, Object unit, CompletableFuture<R> result,
                          AtomicInteger state) {
        /** Claims the unit for running; false when its caller gave up on it first. */
        boolean start() {
            return state.compareAndSet(QUEUED, RUNNING) || state.get() == RUNNING;
        }
    }

    private final class Lane implements Runnable {

        static final Job<Object> STOP = new Job<>("", (u, units, last) -> List.of(), null, new CompletableFuture<>(),
                new AtomicInteger(QUEUED));

        final BlockingQueue<Job<?>> queue;

        Lane(int capacity) {
            this.queue = new LinkedBlockingQueue<>(capacity + 1); // + 1: room for STOP
        }

        boolean offer(Job<?> job) {
            return queue.remainingCapacity() > 1 && queue.offer(job);
        }

        @Override
        public void run() {
            List<Job<?>> batch = new ArrayList<>();
            while (true) {
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.remove(STOP);
                batch.removeIf(job -> !job.start()); // their callers gave up: they must not run
                if (!batch.isEmpty()) {
                    execute(batch);
                }
                batch.clear();
                if (stop) {
                    // requests that raced with close(): run them rather than leave their callers waiting
                    for (Job<?> j = queue.poll(); j != null; j = queue.poll()) {
                        if (j.start()) {
                            runAlone(j);
                        }
                    }
                    return;
                }
            }
        }
    }

    private void execute(List<Job<?>> batch) {
        batchSizes.accept(batch.size());
        if (batch.size() == 1) {
            runAlone(batch.getFirst());
            return;
        }
        batch.sort(Comparator.comparing(Job::userId));
        largestBatch.accumulateAndGet(batch.size(), Math::max);
        List<Object> results;
        try {
            results = tx.execute(status -> {
                List<Object> out = new ArrayList<>(batch.size());
                int from = 0;
                while (from < batch.size()) {
                    Job<?> first = batch.get(from);
                    int to = from + 1;
                    while (to < batch.size() && batch.get(to).kind() == first.kind()
                            && batch.get(to).userId().equals(first.userId())) {
                        to++;
                    }
                    out.addAll(runGroup(first, batch.subList(from, to), to == batch.size()));
                    from = to;
                }
                return out;
            });
        } catch (RuntimeException | Error e) {
            log.debug("a batch of {} failed as a whole ({}); running each alone", batch.size(), e.toString());
            for (Job<?> job : batch) {
                runAlone(job);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
    }

    private static List<Object> runGroup(Job<?> first, List<Job<?>> group, boolean last) {
        List<Object> units = new ArrayList<>(group.size());
        for (Job<?> job : group) {
            units.add(job.unit());
        }
        List<Object> results = first.kind().runAll(first.userId(), units, last);
        if (results.size() != units.size()) {
            throw new IllegalStateException(results.size() + " results for " + units.size() + " units");
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    private <R> void runAlone(Job<R> job) {
        try {
            job.result().complete((R) tx.execute(status -> runGroup(job, List.<Job<?>>of(job), true).getFirst()));
        } catch (RuntimeException | Error e) {
            job.result().completeExceptionally(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <R> void complete(Job<R> job, Object result) {
        job.result().complete((R) result);
    }

    /** The most units that ever shared one transaction (diagnostics, tests). */
    int largestBatch() {
        return largestBatch.get();
    }

    /** Units waiting for their lane (diagnostics, tests). */
    int queued() {
        int n = 0;
        for (Lane lane : lanes) {
            n += lane.queue.size();
        }
        return n;
    }
}
