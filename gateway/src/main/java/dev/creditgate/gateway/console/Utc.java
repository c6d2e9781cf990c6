package dev.creditgate.gateway.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times on console pages: UTC, to the second ({@code utc} in every model). */
final class Utc {

    static final Utc INSTANCE = new Utc();
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Utc() {}

    public String seconds(long epochSecond) {
        return FORMAT.format(Instant.ofEpochSecond(epochSecond));
    }

    public String millis(long epochMilli) {
        return FORMAT.format(Instant.ofEpochMilli(epochMilli));
    }
}
