package dev.creditgate.gateway.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

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
 */
@Component
public class LogWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);

    private final LogRepository repository;
    private final BlockingQueue<LogEntry> queue;
    private final long flushMillis;
    private final int batchSize;
    private final Counter dropped;
    private final Counter failed;
    private final Counter written;
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

    @Override
    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("gateway-log-writer").start(this::loop);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            try { // the loop notices within one flush interval; no interrupt, which could break a JDBC call
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
            LogEntry first;
            try {
                first = queue.poll(flushMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first != null) {
                List<LogEntry> batch = new ArrayList<>(batchSize);
                batch.add(first);
                boolean interrupted = gather(batch, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushMillis));
                flush(batch); // also after an interrupt: these rows are already out of the queue
                if (interrupted) {
                    break;
                }
            }
        }
        drain();
    }

    /**
     * Adds the rows that arrive until {@code deadline} (one flush interval after the batch's first row) or until
     * the batch is full: under light load a request then costs a share of one transaction per interval instead of
     * a transaction of its own, and the counter updates lock the token and user rows (which reservations also
     * update) once per interval rather than once per request.
     *
     * @return true when the thread was interrupted (the batch holds what was gathered so far)
     */
    private boolean gather(List<LogEntry> batch, long deadline) {
        while (running && batch.size() < batchSize) {
            queue.drainTo(batch, batchSize - batch.size());
            long left = deadline - System.nanoTime();
            if (left <= 0 || batch.size() >= batchSize) {
                break;
            }
            LogEntry next;
            try {
                next = queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return true;
            }
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return false;
    }

    private void drain() {
        List<LogEntry> batch = new ArrayList<>(batchSize);
        while (queue.drainTo(batch, batchSize) > 0) {
            flush(batch);
            batch = new ArrayList<>(batchSize);
        }
    }

    private void flush(List<LogEntry> batch) {
        synchronized (flushLock) {
            flushLocked(batch);
        }
    }

    private void flushLocked(List<LogEntry> batch) {
        try {
            repository.write(batch);
            written.increment(batch.size());
        } catch (RuntimeException e) {
            failed.increment(batch.size());
            log.error("could not write {} log rows: {}", batch.size(), e.toString());
        }
    }
}
