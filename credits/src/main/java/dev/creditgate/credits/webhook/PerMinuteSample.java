package dev.creditgate.credits.webhook;

/** At most {@code perMinute} takes per clock minute (this instance); thread-safe, no allocation. */
final class PerMinuteSample {

    private final int perMinute;
    private long minute = Long.MIN_VALUE;
    private int taken;

    PerMinuteSample(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Whether one more may be taken in the minute of {@code nowMs}. */
    synchronized boolean take(long nowMs) {
        long m = Math.floorDiv(nowMs, 60_000L);
        if (m != minute) {
            minute = m;
            taken = 0;
        }
        if (taken >= perMinute) {
            return false;
        }
        taken++;
        return true;
    }
}
