package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Reserve mode under load (SPEC 4.1): 100 concurrent requests on a key that affords exactly 10, spread over TWO
 * gateway instances sharing one PostgreSQL: exactly 10 reach the upstream, the platform's ledger never goes below
 * zero, and it equals the gateway's log. Repeated, each round on a fresh key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditReserveLoadIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 2);
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_fallback", "deny"); // a platform hiccup must not let anything through here
        // correctness, not latency, is measured here: 100 holds at once on one key, 2 cores, a cold JVM
        stack.option("letaicode_timeout_ms", "15000");
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @RepeatedTest(3)
    void exactlyTheAffordableRequestsReachTheUpstream() throws Exception {
        CreditsServer.Key key = stack.credits.userWithKey("100"); // fixed-10 costs 10 credits: exactly 10 calls
        long upstreamBefore = stack.mock.calls();
        int n = 100;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RunningGateway.Answer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                RunningGateway g = stack.gateways.get(i % 2);
                results.add(pool.submit(() -> {
                    go.await();
                    return stack.chat(g, key, CreditStack.FIXED_10);
                }));
            }
            go.countDown();
            int ok = 0;
            int refused = 0;
            for (Future<RunningGateway.Answer> f : results) {
                int status = f.get().status();
                if (status == 200) {
                    ok++;
                } else if (status == 403) {
                    refused++;
                } else {
                    throw new AssertionError("unexpected answer " + status + ": " + f.get().body());
                }
            }
            assertThat(ok).isEqualTo(10);
            assertThat(refused).isEqualTo(90);
        }
        assertThat(stack.mock.calls() - upstreamBefore).isEqualTo(10);

        stack.awaitDrained();
        stack.awaitBalance(key, "0");
        List<CreditsServer.Ledger> ledger = stack.credits.ledger(key.userId());
        assertThat(ledger).allSatisfy(e -> assertThat(e.balanceAfterMicros()).isGreaterThanOrEqualTo(0));
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).hasSize(10);
        assertThat(charges).extracting(CreditsServer.Ledger::eventId).doesNotHaveDuplicates();
        List<JsonNode> logs = stack.consumeLogs(key.tokenId(), 10);
        assertThat(logs).hasSize(10);
        assertThat(CreditStack.credits(logs)).isEqualByComparingTo(
                BigDecimal.valueOf(-charges.stream().mapToLong(CreditsServer.Ledger::amountMicros).sum(), 6));
        // the charged events are exactly the logged requests
        assertThat(charges).extracting(CreditsServer.Ledger::eventId).containsExactlyInAnyOrderElementsOf(
                logs.stream().map(l -> "cg-" + l.path("request_id").asString()).toList());
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
    }
}
