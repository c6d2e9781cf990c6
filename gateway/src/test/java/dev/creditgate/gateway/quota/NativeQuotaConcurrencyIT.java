package dev.creditgate.gateway.quota;

import static dev.creditgate.gateway.quota.QuotaGateway.FIXED;
import static dev.creditgate.gateway.quota.QuotaGateway.FIXED_PRICE_QUOTA;
import static dev.creditgate.gateway.quota.QuotaGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.creditgate.gateway.quota.QuotaGateway.Token;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The no-overdraw guarantee end to end: a user with quota for exactly N calls sends 10N concurrent calls
 * through the real relay; exactly N are served, the rest get 403, the quota never goes below zero, and the
 * log rows, the balances and the used_quota counters agree. Several rounds on each real database.
 */
class NativeQuotaConcurrencyIT {

    private static final int ROUNDS = 5;
    private static final int N = 10;

    enum Vendor { POSTGRESQL, MARIADB }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Vendor.class)
    void exactlyTheAffordableCallsAreServed(Vendor vendor) throws Exception {
        TestDatabases.Db db = vendor == Vendor.POSTGRESQL ? TestDatabases.postgres() : TestDatabases.mariadb();
        try (QuotaGateway q = new QuotaGateway(db)) {
            JdbcClient sql = JdbcClient.create(q.gw.context().getBean(DataSource.class));
            for (int round = 0; round < ROUNDS; round++) {
                boolean unlimited = round % 2 == 1;
                long budget = N * FIXED_PRICE_QUOTA;
                Token t = q.userWithToken(budget, unlimited ? 0 : 100 * budget, unlimited);
                long upstreamBefore = q.mock.calls();

                Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
                Map<String, LongAdder> refusalCodes = new ConcurrentHashMap<>();
                AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);
                AtomicBoolean done = new AtomicBoolean();
                Thread sampler = Thread.ofPlatform().start(() -> {
                    while (!done.get()) {
                        long quota = sql.sql("SELECT quota FROM users WHERE id = ?").param(t.userId())
                                .query(Long.class).single();
                        lowest.accumulateAndGet(quota, Math::min);
                    }
                });
                CountDownLatch go = new CountDownLatch(1);
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> calls = new ArrayList<>();
                    for (int i = 0; i < 10 * N; i++) {
                        calls.add(clients.submit(() -> {
                            go.await();
                            Answer a = q.call(t, chat(FIXED, null, false));
                            statuses.computeIfAbsent(a.status(), s -> new LongAdder()).increment();
                            if (a.status() == 403) {
                                refusalCodes.computeIfAbsent(a.json().path("error").path("code").asString(),
                                        c -> new LongAdder()).increment();
                            }
                            return null;
                        }));
                    }
                    go.countDown();
                    for (Future<?> call : calls) {
                        call.get();
                    }
                } finally {
                    done.set(true);
                    sampler.join();
                }

                String where = vendor + " round " + round + " " + statuses;
                assertThat(count(statuses, 200)).as(where).isEqualTo(N);
                assertThat(count(statuses, 403)).as(where).isEqualTo(9L * N);
                assertThat(refusalCodes.keySet()).as(where).containsExactly("insufficient_user_quota");
                assertThat(q.mock.calls() - upstreamBefore).as(where).isEqualTo(N);
                assertThat(lowest.get()).as(where + ": lowest user quota seen").isGreaterThanOrEqualTo(0);

                // a log row is written after its settlement: once all N are there, the balances are final
                List<JsonNode> rows = q.consumeRows(t, N);
                long consumed = budget - q.userQuota(t);
                assertThat(consumed).as(where).isEqualTo(N * FIXED_PRICE_QUOTA);
                assertThat(rows).as(where).allSatisfy(r -> assertThat(r.path("quota").asLong()).as(r.toString())
                        .isEqualTo(FIXED_PRICE_QUOTA));
                assertThat(rows.stream().mapToLong(r -> r.path("quota").asLong()).sum()).as(where).isEqualTo(consumed);
                q.awaitUsedQuota(t, consumed);
                assertThat(q.token(t).path("request_count").asLong()).as(where).isEqualTo(N);
                if (!unlimited) {
                    assertThat(q.tokenRemain(t)).as(where).isEqualTo(100 * budget - consumed);
                }
            }
        }
    }

    private static long count(Map<Integer, LongAdder> statuses, int status) {
        LongAdder n = statuses.get(status);
        return n == null ? 0 : n.sum();
    }
}
