package dev.creditgate.gateway.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Leader/follower group commit: concurrent callers' items share one transaction, run by whichever caller gets there
 * first (the leader) on its own thread, so that no thread hand-off is added. A caller alone runs its item alone at
 * once, exactly as without batching; while a leader's transaction runs, newcomers queue, and the next leader takes
 * all of them (up to {@code maxBatch}) into one. Under load batches grow by themselves; there is no waiting for more.
 *
 * <p>An item the batch could not decide (its batch result is null) or whose batch failed as a whole runs again alone,
 * in its caller's thread, after the batch: the caller gets what it would have had without batching (its own result
 * or its own exception).
 *
 * @param <I> an item (one caller's work)
 * @param <O> its result
 */
public final class GroupCommit<I, O> {

    /** Runs several items in one transaction. */
    @FunctionalInterface
    public interface Batch<I, O> {

        /**
         * @return one result per item, in order; null for an item that must run alone after the batch
         * @throws RuntimeException when the transaction failed: nothing of it was committed
         */
        List<O> run(List<I> items);
    }

    private static final class Pending<I, O> {
        final I item;
        final Thread thread;
        volatile boolean done;
        volatile O result; // null when done: run alone
        boolean ranHere; // the caller's own thread ran it alone, as leader

        Pending(I item, Thread thread) {
            this.item = item;
            this.thread = thread;
        }
    }

    private final int maxBatch;
    private final Function<I, O> alone;
    private final Batch<I, O> batch;
    private final IntConsumer batchSizes;
    private final ConcurrentLinkedQueue<Pending<I, O>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock leader = new ReentrantLock();

    /**
     * @param alone      runs one item in a transaction of its own
     * @param batch      runs several in one transaction
     * @param batchSizes told the size of every batch of two or more (a metric)
     */
    public GroupCommit(int maxBatch, Function<I, O> alone, Batch<I, O> batch, IntConsumer batchSizes) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: >= 1)");
        }
        this.maxBatch = maxBatch;
        this.alone = Objects.requireNonNull(alone, "alone");
        this.batch = Objects.requireNonNull(batch, "batch");
        this.batchSizes = Objects.requireNonNull(batchSizes, "batchSizes");
    }

    /** Runs {@code item}, possibly in a transaction shared with other callers' items, and returns its result. */
    public O run(I item) {
        if (maxBatch == 1) {
            return alone.apply(item);
        }
        Pending<I, O> me = new Pending<>(item, Thread.currentThread());
        queue.add(me);
        boolean interrupted = false;
        while (!me.done) {
            if (leader.tryLock()) {
                try {
                    while (!me.done) {
                        lead(me);
                    }
                } finally {
                    leader.unlock();
                    Pending<I, O> next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread); // the next leader
                    }
                }
            } else {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true; // kept for the caller; parking again needs it clear
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (me.ranHere) {
            return me.result;
        }
        O result = me.result;
        return result != null ? result : alone.apply(item);
    }

    /**
     * Takes what is queued (up to {@code maxBatch}) and runs it, with the leader lock held: whoever arrives meanwhile
     * queues for the next batch. The leader's own item taken alone runs here (its exception is the caller's).
     */
    private void lead(Pending<I, O> me) {
        List<Pending<I, O>> taken = new ArrayList<>(Math.min(maxBatch, 16));
        Pending<I, O> p;
        while (taken.size() < maxBatch && (p = queue.poll()) != null) {
            taken.add(p);
        }
        if (taken.isEmpty()) {
            return;
        }
        if (taken.size() == 1) {
            if (taken.getFirst() == me) {
                me.done = true;
                me.ranHere = true;
                me.result = alone.apply(me.item);
            } else {
                finish(taken.getFirst(), null); // another caller's: alone, in its own thread
            }
            return;
        }
        batchSizes.accept(taken.size());
        List<I> items = new ArrayList<>(taken.size());
        taken.forEach(t -> items.add(t.item));
        List<O> results = null;
        try {
            results = batch.run(items);
        } catch (RuntimeException e) {
            // nothing committed: every item runs alone
        } finally { // also after an Error: no caller is left waiting
            for (int i = 0; i < taken.size(); i++) {
                finish(taken.get(i), results == null ? null : results.get(i));
            }
        }
    }

    private void finish(Pending<I, O> p, O result) {
        p.result = result;
        p.done = true;
        if (p.thread != Thread.currentThread()) {
            LockSupport.unpark(p.thread);
        }
    }
}
