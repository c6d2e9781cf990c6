package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Credit leases (SPEC 4.4) on two gateway instances sharing PostgreSQL, against the real credit platform on
 * PostgreSQL: requests admitted against a lease make no platform call and are still charged one ledger entry each;
 * a key disabled, or a balance lowered by an admin, mid-load takes effect on every instance within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditLeaseIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 2,
                "gateway.credit.lease-idle=1s");
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "on");
        stack.option("letaicode_fallback", "deny");
        stack.option("letaicode_timeout_ms", "5000");
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @Test
    void leasedRequestsMakeNoPlatformCallAndAreChargedOneLedgerEntryEach() {
        CreditsServer.Key key = stack.credits.userWithKey("100");
        double leasedBefore = leased();
        for (int i = 0; i < 40; i++) {
            CreditStack.ok(stack.chat(stack.gateways.get(i % 2), key, CreditStack.FIXED_1));
        }
        // each instance's first lease is 16 requests' worst case (16 credits): at least 32 went without a hold
        long holds = stack.credits.jdbc().sql("SELECT COUNT(*) FROM holds WHERE user_id = :u")
                .param("u", key.userId()).query(Long.class).single();
        assertThat(leased() - leasedBefore).isGreaterThanOrEqualTo(32).isEqualTo(40.0 - holds);

        stack.awaitDrained();
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).hasSize(40).allSatisfy(c -> assertThat(c.amountMicros()).isEqualTo(-1_000_000));
        assertThat(charges.stream().filter(c -> c.type().equals("LEASE_CHARGE")).count()).isEqualTo(40 - holds);
        List<JsonNode> logs = stack.consumeLogs(key.tokenId(), 40);
        assertThat(logs.stream().map(l -> "cg-" + l.path("request_id").asString()).sorted().toList())
                .isEqualTo(charges.stream().map(CreditsServer.Ledger::eventId).sorted().toList());
        // an idle lease is released: nothing stays held
        CreditStack.poll(Duration.ofSeconds(10), () -> stack.credits.user(key.userId()),
                u -> u.path("held").decimalValue().signum() == 0);
        assertThat(stack.credits.balance(key.userId())).isEqualByComparingTo("60");
    }

    @Test
    void aKeyDisabledAtThePlatformMidLoadIsRefusedOnEveryInstanceWithinASecond() throws Exception {
        CreditsServer.Key key = stack.credits.userWithKey("100000");
        // the platform disables the key in its own table only (as if telling the gateway had lagged): the leases'
        // refreshes must carry it to both instances
        try (Load load = Load.start(stack, key, 3)) {
            disableMidLoad(key, load);
        }
    }

    private void disableMidLoad(CreditsServer.Key key, Load load) throws InterruptedException {
        load.awaitServed(50);
        stack.credits.jdbc().sql("UPDATE api_keys SET status = 'DISABLED' WHERE id = :id").param("id", key.id())
                .update();
        long t0 = System.currentTimeMillis();
        Thread.sleep(2500);
        List<Load.Call> calls = load.stop();
        assertThat(calls).anySatisfy(c -> assertThat(c.status()).isEqualTo(200));
        for (int g = 0; g < 2; g++) {
            int gw = g;
            List<Load.Call> late = calls.stream().filter(c -> c.gateway() == gw && c.startMs() > t0 + 1000).toList();
            assertThat(late).as("instance " + g + " kept serving").isNotEmpty()
                    .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isIn(401, 403));
        }
    }

    @Test
    void anAdminLoweringTheBalanceMidLoadTakesEffectWithinASecondAndNothingOverdraws() throws Exception {
        CreditsServer.Key key = stack.credits.userWithKey("100000");
        try (Load load = Load.start(stack, key, 3)) {
            lowerMidLoad(key, load);
        }
    }

    private void lowerMidLoad(CreditsServer.Key key, Load load) throws InterruptedException {
        load.awaitServed(100);
        // the leases have grown to the spending rate (two seconds of it)
        JsonNode before = CreditStack.poll(Duration.ofSeconds(10), () -> stack.credits.user(key.userId()),
                u -> u.path("held").decimalValue().compareTo(new BigDecimal("60")) >= 0);
        assertThat(before.path("held").decimalValue()).as("the leases hold credit").isPositive();
        // leave nine tenths of what the leases hold (more than the load spends while they are recalled, about one
        // refresh period): the free credit besides the leases cannot cover the adjustment, so the platform must
        // recall them
        BigDecimal held = before.path("held").decimalValue();
        BigDecimal leave = held.multiply(new BigDecimal("0.9")).setScale(0, java.math.RoundingMode.DOWN);
        BigDecimal lower = before.path("balance").decimalValue().subtract(leave).negate();
        long t0 = System.currentTimeMillis();
        CreditsServer.Answer a = stack.credits.call("POST", "/api/users/" + key.userId() + "/credits",
                json("amount", lower, "type", "ADMIN_ADJUST", "ref", "lower-" + key.id(), "desc", "chargeback"));
        long took = System.currentTimeMillis() - t0;
        assertThat(a.status()).as(a.body() + " after " + took + " ms; held before: " + held).isEqualTo(201);
        assertThat(took).as("the recall took effect within a second").isLessThan(1000);
        // the load goes on until what is left is spent; then every request is refused
        CreditStack.poll(Duration.ofSeconds(30), load::lastStatuses,
                l -> l.size() >= 6 && l.stream().allMatch(s -> s == 403));
        load.stop();
        // what a refusal under load left over (credit in flight, in the other instance's lease for one refresh) is
        // spent one request at a time: a refusal counts once it repeats after a second
        for (int i = 0; ; i++) {
            stack.awaitDrained();
            RunningGateway g = stack.gateways.get(i % 2);
            if (stack.chat(g, key, CreditStack.FIXED_1).status() != 200) {
                Thread.sleep(1000);
                if (stack.chat(g, key, CreditStack.FIXED_1).status() != 200) {
                    break;
                }
            }
        }
        stack.awaitDrained();
        List<CreditsServer.Ledger> ledger = stack.credits.ledger(key.userId());
        assertThat(ledger).allSatisfy(e -> assertThat(e.balanceAfterMicros()).as(e.toString())
                .isGreaterThanOrEqualTo(0));
        CreditStack.poll(Duration.ofSeconds(10), () -> stack.credits.user(key.userId()),
                u -> u.path("held").decimalValue().signum() == 0);
        JsonNode after = stack.credits.user(key.userId());
        assertThat(after.path("balance").decimalValue()).isGreaterThanOrEqualTo(BigDecimal.ZERO)
                .isLessThan(BigDecimal.ONE); // fixed-1 calls: refused when less than one credit is left
        Map<String, Long> byEvent = new HashMap<>();
        stack.credits.charges(key.userId()).forEach(c -> byEvent.merge(c.eventId(), 1L, Long::sum));
        assertThat(byEvent.values()).as("each request charged once").allSatisfy(n -> assertThat(n).isEqualTo(1));
    }

    private double leased() {
        double n = 0;
        for (RunningGateway g : stack.gateways) {
            var c = g.context().getBean(MeterRegistry.class).find("creditgate.credit.lease.admitted").counter();
            n += c == null ? 0 : c.count();
        }
        return n;
    }

    /** Client threads calling {@code fixed-1} on both instances, recording each call. */
    static final class Load implements AutoCloseable {
        record Call(int gateway, long startMs, int status) {
        }

        private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

        static Load start(CreditStack stack, CreditsServer.Key key, int perInstance) {
            Load l = new Load();
            for (int g = 0; g < stack.gateways.size(); g++) {
                RunningGateway gw = stack.gateways.get(g);
                int index = g;
                for (int t = 0; t < perInstance; t++) {
                    l.pool.submit(() -> {
                        while (!l.stop.get()) {
                            long start = System.currentTimeMillis();
                            int status = stack.chat(gw, key, CreditStack.FIXED_1).status();
                            l.calls.add(new Call(index, start, status));
                        }
                        return null;
                    });
                }
            }
            return l;
        }

        void awaitServed(int n) {
            CreditStack.poll(Duration.ofSeconds(30), () -> snapshot().stream().filter(c -> c.status() == 200).count(),
                    c -> c >= n);
        }

        private List<Call> snapshot() {
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }

        List<Integer> lastStatuses() {
            synchronized (calls) {
                return calls.subList(Math.max(0, calls.size() - 6), calls.size()).stream().map(Call::status).toList();
            }
        }

        @Override
        public void close() {
            stop();
        }

        List<Call> stop() {
            stop.set(true);
            pool.close();
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }
    }
}
