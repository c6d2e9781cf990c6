package dev.creditgate.gateway.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.creditgate.gateway.GatewayProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Step 7 of the relay: writes log rows off the request path. {@link #write} only enqueues (a bounded queue, no
 * blocking); one background thread inserts batches of up to {@code gateway.logs.batch-size} rows: a batch is
 * written one {@code gateway.logs.flush-interval} (100 ms) after its first row arrived, or as soon as it is full,
 * and the queue is drained on shutdown.
 *
 * <p>Trade-off: a request never waits for the database, at the price that the rows of the last flush interval
 * are lost if the process is killed hard (a graceful stop flushes them), that a full queue (database down or far
 * too slow) drops rows rather than slowing requests (counted in {@code gateway.logs.dropped}), and that a row
 * appears in {@code GET /api/log/} up to one interval after the request ended. Logs are statistics here; money
 * that must not be lost goes through admission (and, in later issues, an outbox), never only through this log.
 *
 * <p>Refunds ({@link #refundLater}): the unused part of a native reservation rides in the same queue and is added
 * back to the token and user balances in the same transaction as the batch's rows, so a request's settlement and
 * its log row cost a share of one transaction per interval instead of a transaction of their own. A refund only
 * raises a balance, so its delay can never let anything overdraw; {@link #awaitRefunds} lets a refused reservation
 * wait for the pending ones before it refuses.
 */
@Component
public class LogWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    /** Longest wait between two attempts at a batch while the database cannot be reached. */
    private static final long MAX_RETRY_WAIT_MILLIS = 2_000;

    /** What the queue holds: log rows, refunds, and barriers of {@link #awaitRefunds}. */
    sealed interface Queued permits LogEntry, BalanceRefund, Barrier {
    }

    /** Completed once every item queued before it is written. */
    record Barrier(CompletableFuture<Void> done) implements Queued {
    }

    private final LogRepository repository;
    private final BlockingQueue<Queued> queue;
    private final long flushMillis;
    private final int batchSize;
    private final Counter dropped;
    private final Counter failed;
    private final Counter written;
    private final Counter refundsFailed;
    /** Refunds queued and not yet written (or given up on). */
    private final AtomicLong refundsPending = new AtomicLong();
    private final Object flushLock = new Object();
    private volatile boolean running;
    private Thread thread;

    LogWriter(LogRepository repository, GatewayProperties properties, MeterRegistry metrics) {
        this.repository = repository;
        this.queue = new ArrayBlockingQueue<>(properties.logs().queueCapacity());
        this.flushMillis = properties.logs().flushInterval().toMillis();
        this.batchSize = properties.logs().batchSize();
        this.dropped = Counter.builder("gateway.logs.dropped").description("log rows dropped: queue full").register(metrics);
        this.failed = Counter.builder("gateway.logs.failed").description("log rows lost: database error").register(metrics);
        this.written = Counter.builder("gateway.logs.written").description("log rows written").register(metrics);
        this.refundsFailed = Counter.builder("gateway.quota.refunds.failed")
                .description("deferred quota refunds that could not be written (the reservation stayed charged)")
                .register(metrics);
        metrics.gaugeCollectionSize("gateway.logs.queued", List.of(), queue);
    }

    /** Enqueues a row; never blocks. Returns false when the queue is full and the row was dropped. */
    public boolean write(LogEntry entry) {
        if (queue.offer(entry)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /**
     * Queues a refund, to be written with the next batch of rows; never blocks.
     *
     * @return false when the queue is full: nothing was queued, the caller writes the refund itself
     */
    public boolean refundLater(BalanceRefund refund) {
        refundsPending.incrementAndGet();
        if (queue.offer(refund)) {
            return true;
        }
        refundsPending.decrementAndGet();
        return false;
    }

    /**
     * Waits until every refund queued before this call is written (a barrier through the queue), at most
     * {@code timeout}.
     *
     * @return true when refunds were pending (so that a balance may have risen meanwhile), false when none were
     */
    public boolean awaitRefunds(Duration timeout) {
        if (refundsPending.get() == 0) {
            return false;
        }
        if (!running) {
            drain(); // not started or stopping: write in the caller's thread
            return true;
        }
        Barrier barrier = new Barrier(new CompletableFuture<>());
        if (!queue.offer(barrier)) {
            return false;
        }
        try {
            barrier.done().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the database is slow or failing: the caller decides with what is written
        }
        return true;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("gateway-log-writer").start(this::loop);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            queue.offer(new Barrier(new CompletableFuture<>())); // wakes the loop at once (no need to wait for it)
            try { // no interrupt, which could break a JDBC call
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        drain(); // whatever arrived after the loop ended
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (higher phases stop first), so in-flight requests still get their rows. */
    @Override
    public int getPhase() {
        return 0;
    }

    private void loop() {
        while (running) {
            Queued first;
            try {
                first = queue.poll(flushMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first != null) {
                List<Queued> batch = new ArrayList<>(batchSize);
                batch.add(first);
                boolean interrupted = !(first instanceof Barrier)
                        && gather(batch, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushMillis));
                flush(batch); // also after an interrupt: these rows are already out of the queue
                if (interrupted) {
                    break;
                }
            }
        }
        drain();
    }

    /**
     * Adds the rows that arrive until {@code deadline} (one flush interval after the batch's first row), until
     * the batch is full, or until a barrier arrives: under light load a request then costs a share of one
     * transaction per interval instead of a transaction of its own, and the counter updates lock the token and
     * user rows (which reservations also update) once per interval rather than once per request.
     *
     * @return true when the thread was interrupted (the batch holds what was gathered so far)
     */
    private boolean gather(List<Queued> batch, long deadline) {
        while (running && batch.size() < batchSize) {
            int from = batch.size();
            queue.drainTo(batch, batchSize - batch.size());
            long left = deadline - System.nanoTime();
            if (left <= 0 || batch.size() >= batchSize || hasBarrier(batch, from)) {
                break;
            }
            Queued next;
            try {
                next = queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return true;
            }
            if (next == null) {
                break;
            }
            batch.add(next);
            if (next instanceof Barrier) {
                break;
            }
        }
        return false;
    }

    private static boolean hasBarrier(List<Queued> batch, int from) {
        for (int i = from; i < batch.size(); i++) {
            if (batch.get(i) instanceof Barrier) {
                return true;
            }
        }
        return false;
    }

    private void drain() {
        List<Queued> batch = new ArrayList<>(batchSize);
        while (queue.drainTo(batch, batchSize) > 0) {
            flush(batch);
            batch = new ArrayList<>(batchSize);
        }
    }

    private void flush(List<Queued> batch) {
        List<LogEntry> rows = new ArrayList<>(batch.size());
        List<BalanceRefund> refunds = new ArrayList<>();
        List<Barrier> barriers = new ArrayList<>(0);
        for (Queued q : batch) {
            switch (q) {
                case LogEntry e -> rows.add(e);
                case BalanceRefund r -> refunds.add(r);
                case Barrier b -> barriers.add(b);
            }
        }
        synchronized (flushLock) {
            flushLocked(rows, refunds);
        }
        refundsPending.addAndGet(-refunds.size());
        barriers.forEach(b -> b.done().complete(null));
    }

    private void flushLocked(List<LogEntry> rows, List<BalanceRefund> refunds) {
        if (rows.isEmpty() && refunds.isEmpty()) {
            return;
        }
        long backoffMillis = Math.max(10, flushMillis);
        for (int attempt = 1; ; attempt++) {
            try {
                repository.write(rows, refunds);
                written.increment(rows.size());
                if (attempt > 1) {
                    log.info("wrote {} log rows and {} refunds after {} attempts", rows.size(), refunds.size(), attempt);
                }
                return;
            } catch (RuntimeException e) {
                if (running && databaseUnreachable(e)) {
                    // the database is down or restarting: keep the batch (these rows are charges already made) and
                    // try again; meanwhile the bounded queue fills and then drops new rows (counted)
                    if (attempt == 1) {
                        log.warn("could not write {} log rows and {} refunds, retrying until the database is back: {}",
                                rows.size(), refunds.size(), e.toString());
                    }
                    try {
                        Thread.sleep(backoffMillis);
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    }
                    backoffMillis = Math.min(backoffMillis * 2, MAX_RETRY_WAIT_MILLIS);
                    if (!Thread.currentThread().isInterrupted()) {
                        continue;
                    }
                }
                failed.increment(rows.size());
                log.error("could not write {} log rows and {} refunds: {}", rows.size(), refunds.size(), e.toString());
                break;
            }
        }
        if (refunds.isEmpty()) {
            return;
        }
        try { // the refunds are money: once more on their own, whatever made the rows fail
            repository.write(List.of(), refunds);
        } catch (RuntimeException e) {
            refundsFailed.increment(refunds.size());
            log.error("could not write {} quota refunds (the reservations stay charged): {}; {}", refunds.size(),
                    e.toString(), refunds);
        }
    }

    /** A failure of the connection (down, restarting, pool timeout), not of the rows: worth another attempt. */
    static boolean databaseUnreachable(RuntimeException e) {
        return e instanceof org.springframework.dao.DataAccessResourceFailureException
                || e instanceof org.springframework.dao.TransientDataAccessResourceException
                || e instanceof org.springframework.dao.RecoverableDataAccessException
                || e instanceof org.springframework.transaction.CannotCreateTransactionException
                || e instanceof org.springframework.transaction.TransactionSystemException;
    }
}
