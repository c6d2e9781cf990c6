package dev.creditgate.credits.db;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A value read from the database, trusted for a time: {@link #usable} answers it while it is younger than that;
 * past half of it, the first caller to ask is told to read it again (and the others keep using this one meanwhile),
 * so that a hot value is refreshed by one request instead of every request that arrives when it runs out.
 */
public final class Recent<T> {

    private final T value;
    private final long readAtNanos;
    private final AtomicBoolean refreshing = new AtomicBoolean();

    public Recent(T value) {
        this.value = value;
        this.readAtNanos = System.nanoTime();
    }

    /** The value, or null when the caller must read it again (older than {@code ttlMs}, or its turn to refresh). */
    public T usable(long ttlMs) {
        long age = System.nanoTime() - readAtNanos;
        long ttl = ttlMs * 1_000_000;
        if (age >= ttl || (age >= ttl / 2 && refreshing.compareAndSet(false, true))) {
            return null;
        }
        return value;
    }
}
