package dev.creditgate.contract.db;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The JDBC driver properties that bound how long a connection attempt and a socket read may take, per driver
 * (their names and units differ), so that a database that stops answering fails a statement instead of holding its
 * thread forever. Both services give these to their connection pool; a value already in the JDBC URL wins.
 * H2 (embedded, no socket) gets none.
 */
public final class DriverTimeouts {

    private DriverTimeouts() {}

    /** The properties to add for {@code jdbcUrl}, leaving out any the URL sets itself. */
    public static Map<String, String> forUrl(String jdbcUrl, Duration connect, Duration socket) {
        Map<String, String> out = new LinkedHashMap<>();
        String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) { // pgjdbc: seconds
            out.put("connectTimeout", Long.toString(Math.max(1, connect.toSeconds())));
            out.put("socketTimeout", Long.toString(Math.max(1, socket.toSeconds())));
        } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) { // MariaDB Connector/J, MySQL: ms
            out.put("connectTimeout", Long.toString(Math.max(1, connect.toMillis())));
            out.put("socketTimeout", Long.toString(Math.max(1, socket.toMillis())));
        }
        out.keySet().removeIf(key -> url.contains(key.toLowerCase(Locale.ROOT) + "="));
        return out;
    }
}
