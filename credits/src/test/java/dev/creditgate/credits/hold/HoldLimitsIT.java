package dev.creditgate.credits.hold;

import static dev.creditgate.credits.hold.HoldLifecycleIT.hold;
import static dev.creditgate.credits.hold.HoldLifecycleIT.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.testkit.MutableClock;

/** {@code credits.holds.max-open-per-key} and {@code max-open-per-user}: 429 beyond them, exact under real threads. */
class HoldLimitsIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    static String secondKey(CreditsApp app, String userId) {
        String keyId = java.util.UUID.randomUUID().toString();
        app.jdbc().sql("INSERT INTO api_keys (id, user_id, label, key_hash, masked, remote_key_id, status,"
                        + " created_at_ms, updated_at_ms) VALUES (:id, :u, 'second', :h, 'sk-test****', 77, 'ACTIVE', 0, 0)")
                .param("id", keyId).param("u", userId).param("h", keyId.replace("-", "") + "0".repeat(32)).update();
        return keyId;
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void pendingHoldsPerKeyAndPerUserAreBounded(String vendor) {
        TestDatabases.Db db = TestDatabases.of(vendor);
        MutableClock clock = new MutableClock(java.time.Instant.now());
        try (CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h",
                "credits.holds.max-open-per-key", "2", "credits.holds.max-open-per-user", "3"))) {
            String[] ids = app.userWithKey("100", 5);
            String key = ids[1];
            String a = hold(app, key, "A", "0.01", 60, 201).get("holdId").asString();
            hold(app, key, "B", "0.01", 60, 201);
            JsonNode refused = hold(app, key, "C", "0.01", 60, 429);
            assertThat(refused.get("code").asString()).isEqualTo("too_many_open_holds");
            assertThat(refused.get("message").asString()).contains("max-open-per-key 2");
            // a repeat of a granted request is answered its hold, whatever the limit
            assertThat(hold(app, key, "A", "0.01", 60, 200).get("holdId").asString()).isEqualTo(a);
            // another key of the same user: its own 2, but the user's 3 in all
            String other = secondKey(app, ids[0]);
            hold(app, other, "D", "0.01", 60, 201);
            hold(app, other, "E", "0.01", 60, 429);
            // a finished hold no longer counts
            release(app, a, 200);
            hold(app, key, "F", "0.01", 60, 201);
            // nor does one whose TTL has passed, before any sweep
            clock.advance(Duration.ofSeconds(61));
            hold(app, key, "G", "0.01", 60, 201);
            hold(app, key, "H", "0.01", 60, 201);
            hold(app, key, "I", "0.01", 60, 429);
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM holds WHERE request_id IN ('C', 'E', 'I')")
                    .query(Long.class).single()).isZero(); // refusals leave no row
        } finally {
            TestDatabases.drop(db);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void concurrentGrantsNeverExceedTheLimit(String vendor) throws Exception {
        TestDatabases.Db db = TestDatabases.of(vendor);
        try (CreditsApp app = CreditsApp.start(db, java.time.Clock.systemUTC(),
                Map.of("credits.holds.max-open-per-key", "5", "credits.holds.max-open-per-user", "0"))) {
            String key = app.userWithKey("1000", 5)[1];
            int threads = 24;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Callable<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String requestId = "req-" + i;
                    calls.add(() -> app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + key
                            + "\",\"requestId\":\"" + requestId + "\",\"amountUsd\":\"0.01\",\"ttlSeconds\":60}")
                            .status());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : pool.invokeAll(calls)) {
                    statuses.add(f.get());
                }
                assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
                assertThat(statuses).filteredOn(s -> s == 429).hasSize(threads - 5);
            } finally {
                pool.shutdownNow();
            }
            assertThat(app.jdbc().sql("SELECT COUNT(*) FROM holds WHERE key_id = :k AND status = 'PENDING'")
                    .param("k", key).query(Long.class).single()).isEqualTo(5);
        } finally {
            TestDatabases.drop(db);
        }
    }
}
