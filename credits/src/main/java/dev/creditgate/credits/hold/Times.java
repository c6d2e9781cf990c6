package dev.creditgate.credits.hold;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 with milliseconds and {@code Z}, as JavaScript's {@code Date.toISOString()} writes it. */
public final class Times {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String iso(long epochMs) {
        return ISO.format(Instant.ofEpochMilli(epochMs));
    }
}
