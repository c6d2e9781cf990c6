package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A gateway instance killed with SIGKILL while it holds a credit lease, with finished requests not yet settled and
 * streams in flight: the surviving instance settles the finished ones from the shared outbox and charges the
 * streams' estimates once their intents time out; the dead instance's lease expires at the platform after its TTL,
 * so the credit it did not spend comes back. Every request is charged exactly once.
 */
class CreditLeaseCrashIT {

    @Test
    void aKilledInstancesRequestsAreChargedOnceAndTheRestOfItsLeaseReturns() throws Exception {
        try (CreditStack stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 1);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            stack.option("letaicode_credit_mode", "reserve");
            stack.option("letaicode_lease", "on");
            stack.option("letaicode_fallback", "deny");
            CreditsServer.Key key = stack.credits.userWithKey("1000");
            // the doomed instance: a short lease TTL, intent timeout and claim on its rows; it never delivers them
            RunningGateway doomed = stack.startProcess("gateway.credit.lease-ttl=6s",
                    "gateway.usage.outbox.claim-lease=2s",
                    "gateway.usage.outbox.intent-timeout=4s", "gateway.usage.outbox.poll-interval=1h",
                    "gateway.usage.outbox.recovery-interval=1h");
            for (int i = 0; i < 10; i++) {
                CreditStack.ok(stack.chat(doomed, key, CreditStack.FIXED_1));
            }
            stack.mock.chunkDelay(Duration.ofSeconds(3));
            String stream = json("model", CreditStack.FIXED_1, "stream", true,
                    "messages", List.of(Map.of("role", "user", "content", "a long answer")));
            for (int i = 0; i < 3; i++) {
                pool.submit(() -> doomed.call("POST", "/v1/chat/completions", stream, key.bearer()));
            }
            CreditStack.poll(Duration.ofSeconds(20), () -> stack.mock.activeStreams(), n -> n == 3);
            // (a log row is written within a flush interval of its request; those of the last interval die with it)
            assertThat(stack.consumeLogs(key.tokenId(), 10)).hasSize(10);
            BigDecimal heldAtKill = stack.credits.user(key.userId()).path("held").decimalValue();
            assertThat(heldAtKill).as("the lease holds credit").isPositive();

            doomed.kill();
            stack.mock.chunkDelay(Duration.ZERO);
            long killedAt = System.currentTimeMillis();

            // the survivor settles the finished requests and recovers the streams' intents
            stack.awaitDrained();
            JsonNode user = CreditStack.poll(Duration.ofSeconds(20), () -> stack.credits.user(key.userId()),
                    u -> u.path("held").decimalValue().signum() == 0);
            assertThat(System.currentTimeMillis() - killedAt).as("the lease expired after its TTL, not before")
                    .isGreaterThanOrEqualTo(4000);
            List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
            Map<String, Integer> perEvent = new HashMap<>();
            charges.forEach(c -> perEvent.merge(c.eventId(), 1, Integer::sum));
            assertThat(perEvent).as(() -> "usage events: " + stack.gw().admin("GET",
                    "/api/usage_event/?page_size=100", null).body()).hasSize(13)
                    .allSatisfy((e, n) -> assertThat(n).as(e).isEqualTo(1));
            assertThat(charges).allSatisfy(c -> assertThat(c.amountMicros()).isEqualTo(-1_000_000));
            List<JsonNode> logs = stack.consumeLogs(key.tokenId(), 10);
            assertThat(logs).hasSize(10).allSatisfy(l -> assertThat(perEvent)
                    .containsKey("cg-" + l.path("request_id").asString()));
            assertThat(user.path("balance").decimalValue()).isEqualByComparingTo("987");
            assertThat(user.path("available").decimalValue()).isEqualByComparingTo("987");
        }
    }
}
