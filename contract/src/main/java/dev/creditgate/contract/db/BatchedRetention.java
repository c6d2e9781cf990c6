package dev.creditgate.contract.db;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Retention for both services: deletes what is older than its age in small batches. For each table: the key of
 * the {@code batchSize}-th oldest row past its age (along an indexed BIGINT column), then
 * {@code DELETE .. WHERE key <= that AND <past its age>} (the same statements on H2, MySQL/MariaDB and PostgreSQL),
 * until a batch comes back short or {@code maxBatches} ran. Any instance may run it; two at once delete the same
 * rows, which is harmless. Spring-free: the caller runs the statements ({@link Statements}).
 */
public final class BatchedRetention {

    /**
     * A table and which rows may go.
     *
     * @param timeColumn   the column the age is read from
     * @param seconds      whether {@code timeColumn} holds epoch seconds (else epoch milliseconds)
     * @param keyColumn    the indexed BIGINT column batches are cut along (ties may add a few rows to a batch)
     * @param condition    what else a row must satisfy to go ({@code 1 = 1}: nothing)
     * @param age          rows older than this go; zero keeps them forever
     */
    public record Target(String name, String table, String timeColumn, boolean seconds, String keyColumn,
                         String condition, Duration age) {
    }

    /** Runs SQL with named parameters ({@code :cutoff}, {@code :n}, {@code :last}). */
    public interface Statements {
        /** The single value of a one-row, one-column query; null when the query found none. */
        Long queryLong(String sql, Map<String, Object> params);

        int update(String sql, Map<String, Object> params);
    }

    private BatchedRetention() {}

    /**
     * One run over {@code targets} at {@code nowMillis}; rows deleted per target name. {@code deleted} is told each
     * target that lost rows (metrics, a log line).
     */
    public static Map<String, Long> run(List<Target> targets, long nowMillis, int batchSize, int maxBatches,
                                        Statements sql, ObjLongConsumer<Target> deleted) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Target t : targets) {
            if (t.age().isZero()) {
                continue; // kept forever
            }
            long cutoffMs = nowMillis - t.age().toMillis();
            long total = deleteOlder(t, t.seconds() ? Math.floorDiv(cutoffMs, 1000) : cutoffMs, batchSize,
                    maxBatches, sql);
            out.put(t.name(), total);
            if (total > 0) {
                deleted.accept(t, total);
            }
        }
        return out;
    }

    private static long deleteOlder(Target t, long cutoff, int batchSize, int maxBatches, Statements sql) {
        String past = t.timeColumn() + " < :cutoff AND " + t.condition();
        String key = t.keyColumn();
        String lastOfBatch = "SELECT MAX(" + key + ") FROM (SELECT " + key + " FROM " + t.table() + " WHERE " + past
                + " ORDER BY " + key + " LIMIT :n) oldest";
        String delete = "DELETE FROM " + t.table() + " WHERE " + key + " <= :last AND " + past;
        long total = 0;
        for (int i = 0; i < maxBatches; i++) {
            Long last = sql.queryLong(lastOfBatch, Map.of("cutoff", cutoff, "n", batchSize));
            if (last == null) {
                break;
            }
            int n = sql.update(delete, Map.of("last", last, "cutoff", cutoff));
            total += n;
            if (n < batchSize) {
                break;
            }
        }
        return total;
    }
}
