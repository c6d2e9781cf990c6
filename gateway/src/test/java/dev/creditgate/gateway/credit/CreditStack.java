package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.gateway.usage.outbox.OutboxDeliverer;
import dev.creditgate.testkit.MockUpstream;
import tools.jackson.databind.JsonNode;

/**
 * Test fixture: N gateways on one database, the mock upstream as their channel, and the real credit platform.
 * Fixed-price models make estimates exact: at 100 credits per USD, {@code fixed-50} costs 50 credits a call
 * (ModelPrice 0.5 USD), {@code fixed-60} 60, {@code fixed-10} 10, {@code fixed-1} 1.
 */
final class CreditStack implements AutoCloseable {

    static final String FIXED_50 = "fixed-50";
    static final String FIXED_60 = "fixed-60";
    static final String FIXED_10 = "fixed-10";
    static final String FIXED_1 = "fixed-1";
    static final String RATIO = "ratio-model";

    /** Properties every test gateway gets: fast outbox and log flushing. */
    static final String[] FAST = {
            "gateway.logs.flush-interval=20ms",
            "gateway.usage.outbox.poll-interval=50ms",
            "gateway.usage.outbox.initial-backoff=100ms",
            "gateway.usage.outbox.max-backoff=500ms",
            "gateway.usage.outbox.recovery-interval=200ms"};

    final MockUpstream mock;
    final List<RunningGateway> gateways = new ArrayList<>();
    private final List<RunningGateway> processes = new ArrayList<>();
    final CreditsServer credits;
    private final TestDatabases.Db gatewayDb;
    private final TestDatabases.Db creditsDb;

    private CreditStack(TestDatabases.Db gatewayDb, TestDatabases.Db creditsDb, int instances, String... props) {
        this.gatewayDb = gatewayDb;
        this.creditsDb = creditsDb;
        this.mock = MockUpstream.start();
        List<String> all = new ArrayList<>(List.of(FAST));
        all.addAll(List.of(props));
        for (int i = 0; i < instances; i++) {
            gateways.add(RunningGateway.start(gatewayDb, all.toArray(String[]::new)));
        }
        this.credits = CreditsServer.start(creditsDb, gw().baseUrl());
        ok(gw().admin("POST", "/api/channel/", json("name", "mock", "type", "openai", "base_url", mock.baseUrl(),
                "key", "sk-upstream", "models", String.join(",", FIXED_50, FIXED_60, FIXED_10, FIXED_1, RATIO))));
        option("ModelPrice", "{\"" + FIXED_50 + "\":0.5,\"" + FIXED_60 + "\":0.6,\"" + FIXED_10 + "\":0.1,\""
                + FIXED_1 + "\":0.01}");
        option("letaicode_domain", credits.url());
        option("letaicode_admin_token", CreditsServer.SERVICE);
        option("letaicode_webhook_secret", CreditsServer.SECRET);
        option("letaicode_timeout_ms", "1000");
        for (RunningGateway g : gateways) { // every instance routes to the new channel now, not within a second
            g.context().getBean(dev.creditgate.gateway.channel.ChannelSelector.class).refresh();
        }
    }

    static CreditStack start(TestDatabases.Db gatewayDb, TestDatabases.Db creditsDb, int instances, String... props) {
        return new CreditStack(gatewayDb, creditsDb, instances, props);
    }

    /**
     * One more instance on the same database, in a JVM of its own (a test may kill it with SIGKILL), after the
     * channel and the options exist (it reads them at start). Closed with the stack.
     */
    RunningGateway startProcess(String... props) {
        java.util.Map<String, String> byKey = new java.util.LinkedHashMap<>(); // a later value replaces an earlier
        java.util.stream.Stream.concat(java.util.stream.Stream.of(FAST), java.util.stream.Stream.of(props))
                .forEach(p -> byKey.put(p.substring(0, p.indexOf('=')), p));
        RunningGateway g = RunningGateway.startProcess(gatewayDb, byKey.values().toArray(String[]::new));
        processes.add(g);
        return g;
    }

    RunningGateway gw() {
        return gateways.getFirst();
    }

    /** Sets an option on every instance (each applies it at once). */
    void option(String key, String value) {
        for (RunningGateway g : gateways) {
            ok(g.admin("PUT", "/api/option/", json("key", key, "value", value)));
        }
    }

    Answer chat(RunningGateway g, CreditsServer.Key key, String model) {
        return g.call("POST", "/v1/chat/completions", json("model", model,
                "messages", List.of(Map.of("role", "user", "content", "hello credit tests"))), key.bearer());
    }

    Answer chat(CreditsServer.Key key, String model) {
        return chat(gw(), key, model);
    }

    /** The consume log rows (type 2) of a token, once there are {@code n}. */
    List<JsonNode> consumeLogs(long tokenId, int n) {
        Answer a = RunningGateway.await(Duration.ofSeconds(20),
                () -> gw().admin("GET", "/api/log/?type=2&page_size=100&token_id=" + tokenId, null),
                // the page and the total are two queries: wait until both see the rows
                x -> x.data().path("total").asInt() >= n && x.data().path("items").size() >= Math.min(n, 100));
        List<JsonNode> out = new ArrayList<>();
        a.data().path("items").forEach(out::add);
        return out;
    }

    /**
     * Sum of the logged exact costs of a token, in credits at 100 credits per USD, each row rounded to a micro-credit
     * as the platform converts each charge (HALF_UP).
     */
    static BigDecimal credits(List<JsonNode> logs) {
        return logs.stream().map(CreditStack::credits).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** One log row's exact cost in credits, rounded as the platform rounds one charge. */
    static BigDecimal credits(JsonNode log) {
        return new BigDecimal(log.path("cost_usd").asString()).multiply(BigDecimal.valueOf(100))
                .setScale(6, java.math.RoundingMode.HALF_UP);
    }

    /**
     * Waits until no usage event is INTENT or PENDING (the outbox drained). Intents are counted first: a row goes
     * INTENT -> PENDING -> DELIVERED, so no intent, then no pending row, means every earlier intent was delivered
     * (the other order misses an intent recovered between the two queries).
     */
    void awaitDrained() {
        RunningGateway.await(Duration.ofSeconds(30), () -> gw().admin("GET", "/api/usage_event/?status=intent", null),
                a -> a.data().path("total").asLong() == 0
                        && gw().admin("GET", "/api/usage_event/?status=pending", null).data().path("total").asLong() == 0);
    }

    /** Polls {@code value} until {@code done} holds (a deadline, no sleeping for time to pass). */
    static <T> T poll(Duration timeout, java.util.function.Supplier<T> value, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T v = value.get();
        while (!done.test(v)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + timeout + "; last value: " + v);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(25_000_000);
            v = value.get();
        }
        return v;
    }

    /** Waits until the user's posted balance is {@code credits}. */
    BigDecimal awaitBalance(CreditsServer.Key key, String credits) {
        return poll(Duration.ofSeconds(20), () -> this.credits.balance(key.userId()),
                b -> b.compareTo(new BigDecimal(credits)) == 0);
    }

    OutboxDeliverer deliverer(RunningGateway g) {
        return g.context().getBean(OutboxDeliverer.class);
    }

    static Answer ok(Answer a) {
        if (a.status() != 200) {
            throw new AssertionError("gateway answered " + a.status() + ": " + a.body());
        }
        return a;
    }

    @Override
    public void close() {
        processes.forEach(RunningGateway::close);
        credits.close();
        for (RunningGateway g : gateways) {
            g.close();
        }
        mock.close();
        gatewayDb.drop().run();
        creditsDb.drop().run();
    }
}
