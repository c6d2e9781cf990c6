package dev.creditgate.credits.console;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed console logins per client address: after {@link #MAX_FAILURES} failures within {@link #WINDOW}, further
 * attempts from that address are refused without being checked until the window ends, so the login form is not a
 * cheap oracle for guessing tokens (the tokens have 32+ characters, keys 48 random ones; this only bounds the noise).
 * Bounded: beyond 10,000 addresses the oldest windows are dropped.
 */
final class LoginThrottle {

    static final int MAX_FAILURES = 10;
    static final Duration WINDOW = Duration.ofMinutes(5);
    private static final int MAX_CLIENTS = 10_000;

    private record Window(long startMs, int failures) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds until {@code client} may try again, or 0 when it may try now. */
    long retryAfterSeconds(String client) {
        Window w = windows.get(client);
        long now = clock.millis();
        if (w == null || now - w.startMs() >= WINDOW.toMillis() || w.failures() < MAX_FAILURES) {
            return 0;
        }
        return Math.max(1, (w.startMs() + WINDOW.toMillis() - now + 999) / 1000);
    }

    void failed(String client) {
        long now = clock.millis();
        if (windows.size() >= MAX_CLIENTS) {
            windows.values().removeIf(w -> now - w.startMs() >= WINDOW.toMillis());
            if (windows.size() >= MAX_CLIENTS) {
                windows.clear();
            }
        }
        windows.merge(client, new Window(now, 1), (old, one) -> now - old.startMs() >= WINDOW.toMillis()
                ? one : new Window(old.startMs(), old.failures() + 1));
    }

    void succeeded(String client) {
        windows.remove(client);
    }
}
