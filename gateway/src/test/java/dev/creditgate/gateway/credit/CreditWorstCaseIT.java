package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Worst-case holds (SPEC 4.3) on the traffic that overdrew before: concurrent {@code letaicode} requests whose answers
 * all use their whole output limit, on TWO gateway instances sharing PostgreSQL, on a user whose credit affords only
 * some of them. The balance never goes below zero, every affordable request is served (the last ones clamped to what
 * is left), and the platform's ledger equals the gateway's log to the micro-credit. With and without
 * {@code max_tokens} (then {@code DefaultMaxOutputTokens} applies and is sent upstream).
 *
 * <p>Prices: ratio 1 (a prompt token 0.0002 credits), completion ratio 4 (an output token 0.0008 credits); a request
 * held for 1000 output tokens: (500 + 4000) quota = 0.9 credits; the smallest served one (256 output tokens, the
 * default {@code letaicode_min_output_tokens}): (500 + 1024) quota = 0.3048 credits. With credit leases on
 * ({@code letaicode_lease}) and off (a hold per request).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditWorstCaseIT {

    private static final BigDecimal SMALLEST_HOLD = new BigDecimal("0.3048");

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 2,
                "gateway.credit.lease-idle=1s");
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_fallback", "deny");
        stack.option("letaicode_timeout_ms", "15000");
        stack.option("ModelRatio", "{\"" + CreditStack.RATIO + "\":1}");
        stack.option("CompletionRatio", "{\"" + CreditStack.RATIO + "\":4}");
        stack.option("DefaultMaxOutputTokens", "{\"*\":1000}");
        stack.mock.answerAtOutputLimit(true);
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @BeforeEach
    void clampByDefault() {
        stack.option("letaicode_output_cap", "clamp");
    }

    /**
     * 4 credits: four whole holds of 0.9 and one clamped to (0.4 - 0.1) / 0.0008 = 375 output tokens at least; too
     * small a balance to lease (under 16 worst cases), so leases on changes nothing. 40 credits with leases on: both
     * instances lease part of it (a lease takes at most half the free credit) and the rest goes by holds.
     */
    @ParameterizedTest(name = "max_tokens in the request: {0}, letaicode_lease {1}, {2} credits, {3} at once")
    @CsvSource({"true,off,4,20,5", "false,off,4,20,5", "true,on,4,20,5", "false,on,40,60,35"})
    void theBalanceNeverGoesBelowZeroAndEveryAffordableRequestIsServed(boolean withMaxTokens, String lease,
                                                                       String credits, int n, int minServed)
            throws Exception {
        stack.option("letaicode_lease", lease);
        CreditsServer.Key key = stack.credits.userWithKey(credits);
        long from = System.currentTimeMillis() / 1000 - 1;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RunningGateway.Answer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                RunningGateway g = stack.gateways.get(i % 2);
                results.add(pool.submit(() -> {
                    go.await();
                    return call(g, key, withMaxTokens);
                }));
            }
            go.countDown();
            int served = 0;
            for (Future<RunningGateway.Answer> f : results) {
                RunningGateway.Answer a = f.get();
                if (a.status() == 200) {
                    served++;
                } else {
                    assertThat(a.status()).as(a.body()).isEqualTo(403);
                    assertThat(a.body()).contains("insufficient_user_quota");
                }
            }
            assertThat(served).isGreaterThanOrEqualTo(minServed);
        }
        // Afterwards, one at a time until refused: holds above the actual cost came back when they were captured.
        // With leases, credit left in the other instance's lease comes back within one refresh (the refusal recalled
        // it at the platform): a refusal counts once it repeats after a second.
        for (int i = 0; i < 50; i++) {
            stack.awaitDrained();
            RunningGateway g = stack.gateways.get(i % 2);
            if (call(g, key, withMaxTokens).status() != 200) {
                if (lease.equals("off")) {
                    break;
                }
                Thread.sleep(1000);
                stack.awaitDrained();
                if (call(g, key, withMaxTokens).status() != 200) {
                    break;
                }
            }
        }
        stack.awaitDrained();
        JsonNode user = CreditStack.poll(java.time.Duration.ofSeconds(10), () -> stack.credits.user(key.userId()),
                u -> u.path("held").decimalValue().signum() == 0); // leases give back what they do not use
        assertThat(user.path("available").decimalValue()).as("refused only when not even a minimal request fits")
                .isLessThan(SMALLEST_HOLD).isGreaterThanOrEqualTo(BigDecimal.ZERO);

        List<CreditsServer.Ledger> ledger = stack.credits.ledger(key.userId());
        assertThat(ledger).allSatisfy(e -> assertThat(e.balanceAfterMicros()).isGreaterThanOrEqualTo(0));
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        List<JsonNode> logs = stack.consumeLogs(key.tokenId(), charges.size());
        assertThat(logs).hasSameSizeAs(charges);
        Map<String, Long> ledgerByEvent = new HashMap<>();
        charges.forEach(c -> ledgerByEvent.put(c.eventId(), -c.amountMicros()));
        for (JsonNode log : logs) {
            String eventId = "cg-" + log.path("request_id").asString();
            assertThat(ledgerByEvent).as("charged at the platform: " + eventId).containsKey(eventId);
            assertThat(BigDecimal.valueOf(ledgerByEvent.get(eventId), 6)).as(eventId)
                    .isEqualByComparingTo(CreditStack.credits(log));
            assertThat(log.path("completion_tokens").asInt()).as("the answer used its whole limit")
                    .isEqualTo(log.path("other").asString().contains("output_limit")
                            ? outputLimit(log) : 1000);
        }
        assertThat(logs).as("the last affordable request was clamped, not refused")
                .anySatisfy(l -> assertThat(outputLimit(l)).isBetween(256, 999));

        // the operator's reconciliation of the window agrees: ledger debits = gateway costs, per event
        JsonNode recon = stack.credits.reconciliation(from, System.currentTimeMillis() / 1000 + 1);
        JsonNode mine = null;
        for (JsonNode u : recon.path("users")) {
            if (u.path("userId").asString().equals(key.userId())) {
                mine = u;
            }
        }
        assertThat(mine).as(recon.toString()).isNotNull();
        assertThat(mine.path("differences").isEmpty()).as(mine.toString()).isTrue();
        assertThat(mine.path("ledgerDebits").decimalValue())
                .isEqualByComparingTo(mine.path("gatewayCosts").decimalValue())
                .isEqualByComparingTo(BigDecimal.valueOf(-charges.stream().mapToLong(CreditsServer.Ledger::amountMicros)
                        .sum(), 6));
        // (the window may also hold the previous case's last charges, posted after their log rows' window began)
    }

    @Test
    void refuseNamesTheAffordableOutput() {
        stack.option("letaicode_lease", "off");
        stack.option("letaicode_output_cap", "refuse");
        CreditsServer.Key key = stack.credits.userWithKey("0.5"); // 0.5 credits: (2500 - 500) / 4 = 500 tokens
        RunningGateway.Answer a = call(stack.gw(), key, true);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.body()).contains("insufficient_user_quota").contains("affords 500 of 1000 output tokens");
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
    }

    private static int outputLimit(JsonNode log) {
        String other = log.path("other").asString();
        int i = other.indexOf("\"output_limit\":");
        if (i < 0) {
            return -1;
        }
        int start = i + "\"output_limit\":".length();
        int end = start;
        while (end < other.length() && Character.isDigit(other.charAt(end))) {
            end++;
        }
        return Integer.parseInt(other.substring(start, end));
    }

    private RunningGateway.Answer call(RunningGateway g, CreditsServer.Key key, boolean withMaxTokens) {
        List<Map<String, String>> messages = List.of(Map.of("role", "user", "content", "write as much as you may"));
        String body = withMaxTokens
                ? json("model", CreditStack.RATIO, "max_tokens", 1000, "messages", messages)
                : json("model", CreditStack.RATIO, "messages", messages);
        return g.call("POST", "/v1/chat/completions", body, key.bearer());
    }
}
