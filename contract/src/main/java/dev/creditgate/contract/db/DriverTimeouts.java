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

    /**
     * True when the statement timeout of {@code jdbcUrl}'s driver must be a connection property
     * ({@link #forUrl}) rather than JDBC's {@code Statement.setQueryTimeout}, which the caller then leaves unset. H2:
     * its {@code setQueryTimeout} runs {@code SET QUERY_TIMEOUT} on every statement, and every {@code SET} makes every
     * session of the database drop its compiled statements, so each statement was parsed again (a tenth of the
     * gateway's CPU under load in a profile).
     */
    public static boolean statementTimeoutInDriver(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:");
    }

    /**
     * The properties to add for {@code jdbcUrl}, leaving out any the URL sets itself.
     *
     * @param statement the statement timeout, for a driver that takes it as a connection property
     *                  ({@link #statementTimeoutInDriver}); null or zero: none
     */
    public static Map<String, String> forUrl(String jdbcUrl, Duration connect, Duration socket, Duration statement) {
        Map<String, String> out = new LinkedHashMap<>();
        String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) { // pgjdbc: seconds
            out.put("connectTimeout", Long.toString(Math.max(1, connect.toSeconds())));
            out.put("socketTimeout", Long.toString(Math.max(1, socket.toSeconds())));
        } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) { // MariaDB Connector/J, MySQL: ms
            out.put("connectTimeout", Long.toString(Math.max(1, connect.toMillis())));
            out.put("socketTimeout", Long.toString(Math.max(1, socket.toMillis())));
        } else if (statementTimeoutInDriver(url) && statement != null && statement.toMillis() > 0) { // H2: ms
            out.put("QUERY_TIMEOUT", Long.toString(statement.toMillis()));
        }
        out.keySet().removeIf(key -> url.contains(key.toLowerCase(Locale.ROOT) + "="));
        return out;
    }
}
