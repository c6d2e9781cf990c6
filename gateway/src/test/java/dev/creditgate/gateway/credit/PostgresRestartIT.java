package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's PostgreSQL (embedded, fixed port and data directory) is stopped under load and started again on
 * the same port and data: while it is down every request answers quickly (a clean error in the route's shape, or a
 * success where nothing needs the database): no request is held longer than a few seconds (so none piles up in the
 * server; relay requests are not observed by Micrometer, so they are timed at the client), nor do platform threads; after the
 * restart the same gateway serves again, without a restart of its own; afterwards, for the credit platform's key,
 * the ledger equals the log (each served request charged exactly once), and a native token's counters equal its
 * log rows.
 */
class PostgresRestartIT {

    private static final int CLIENTS = 6;
    private static final Duration DOWN = Duration.ofSeconds(5);
    /** Longest answer accepted while the database is down: the pool's connection timeout (1 s) and slack. */
    private static final long MAX_DOWN_MS = 4_000;

    private EmbeddedPostgres pg;
    private CreditStack stack;
    private Path data;

    private static EmbeddedPostgres startPg(int port, Path data) throws IOException {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
    }

    @AfterEach
    void stop() throws IOException {
        if (stack != null) {
            stack.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (data != null) {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One request's outcome and when it started, relative to the outage. */
    record Outcome(String kind, long startMs, long ms, int status, String body) {
    }

    @Test
    void aStoppedDatabaseGivesQuickCleanErrorsAndTheGatewayRecoversWithoutARestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        data = Files.createTempDirectory("cg-pg-restart");
        pg = startPg(port, data);
        TestDatabases.Db gatewayDb = new TestDatabases.Db(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres",
                () -> { });
        stack = CreditStack.start(gatewayDb, TestDatabases.h2(), 1,
                "spring.datasource.hikari.connection-timeout=1000",
                "spring.datasource.hikari.validation-timeout=500",
                "gateway.usage.outbox.max-attempts=1000",
                // a request whose settlement could not be written while the database was down keeps its intent: recovery
                // charges it (its estimate: exact for a fixed-price model) once the intent times out
                "gateway.usage.outbox.intent-timeout=3s");
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off");
        stack.option("letaicode_fallback", "deny");
        CreditsServer.Key credit = stack.credits.userWithKey("1000");
        long userId = CreditStack.ok(stack.gw().admin("POST", "/api/user/", json("username", "native", "quota", 50_000_000)))
                .data().path("id").asLong();
        Answer token = CreditStack.ok(stack.gw().admin("POST", "/api/token/", json("name", "n", "user_id", userId,
                "unlimited_quota", true)));
        String nativeBearer = "Bearer " + token.data().path("key").asString();
        long nativeTokenId = token.data().path("id").asLong();
        assertThat(stack.chat(credit, CreditStack.FIXED_1).status()).isEqualTo(200);

        var threads = ManagementFactory.getThreadMXBean();
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        long[] downAt = {Long.MAX_VALUE};
        long[] upAt = {Long.MAX_VALUE};
        long t0 = System.nanoTime();
        Thread[] clients = new Thread[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            boolean nativeKey = i % 2 == 0;
            clients[i] = Thread.ofPlatform().name("pg-restart-client-" + i).start(() -> {
                while (running.get()) {
                    long s = System.nanoTime();
                    Answer a;
                    try {
                        a = stack.gw().call("POST", "/v1/chat/completions", json("model", CreditStack.FIXED_1,
                                "messages", List.of(Map.of("role", "user", "content", "pg restart"))),
                                nativeKey ? nativeBearer : credit.bearer());
                    } catch (RuntimeException e) {
                        a = new Answer(-1, null, String.valueOf(e), null);
                    }
                    long e = System.nanoTime();
                    outcomes.add(new Outcome(nativeKey ? "native" : "credit", (s - t0) / 1_000_000, (e - s) / 1_000_000,
                            a.status(), a.body() == null ? "" : a.body()));
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // ~20 requests/s per client
                }
            });
        }
        CreditStack.poll(Duration.ofSeconds(20), outcomes::size, n -> n >= 40); // load with the database up

        int threadsBefore = threads.getThreadCount();
        downAt[0] = (System.nanoTime() - t0) / 1_000_000;
        pg.close(); // pg_ctl stop -m fast: sessions end, the port closes; the data directory stays
        pg = null;
        long downUntil = System.nanoTime() + DOWN.toNanos();
        int maxThreads = threadsBefore;
        while (System.nanoTime() < downUntil) {
            maxThreads = Math.max(maxThreads, threads.getThreadCount());
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
        }
        upAt[0] = (System.nanoTime() - t0) / 1_000_000;
        pg = startPg(port, data);

        // the same gateway serves both kinds of keys again
        CreditStack.poll(Duration.ofSeconds(30), () -> outcomes.stream()
                        .filter(o -> o.startMs() > upAt[0] && o.status() == 200).map(Outcome::kind).collect(Collectors.toSet()),
                kinds -> kinds.containsAll(Set.of("native", "credit")));
        long recoveredAt = (System.nanoTime() - t0) / 1_000_000;
        CreditStack.poll(Duration.ofSeconds(20), () -> outcomes.stream().filter(o -> o.startMs() > recoveredAt).count(),
                n -> n >= 20);
        running.set(false);
        for (Thread c : clients) {
            c.join(30_000);
        }

        List<Outcome> whileDown = outcomes.stream().filter(o -> o.startMs() > downAt[0] + 200 && o.startMs() < upAt[0])
                .toList();
        System.out.printf("PostgresRestartIT: %d requests, %d while down (statuses %s), max %d ms; platform threads %d -> max %d%n", outcomes.size(), whileDown.size(),
                whileDown.stream().collect(Collectors.groupingBy(Outcome::status, Collectors.counting())),
                whileDown.stream().mapToLong(Outcome::ms).max().orElse(0), threadsBefore, maxThreads);
        assertThat(whileDown).as("requests while the database is down").hasSizeGreaterThan(CLIENTS);
        for (Outcome o : whileDown) {
            assertThat(o.ms()).as("answered quickly: %s", o).isLessThan(MAX_DOWN_MS);
            assertThat(o.status()).as("a clean answer: %s", o).isIn(200, 503);
            if (o.status() == 503) {
                JsonNode error = RunningGateway.JSON.readTree(o.body()).path("error");
                assertThat(error.path("message").asString()).as(o.toString()).isNotBlank().doesNotContain("internal error");
            }
        }
        assertThat(maxThreads - threadsBefore).as("no pile-up of platform threads").isLessThan(20);
        assertThat(outcomes).as("no other status than 200 and 503 at any time")
                .allSatisfy(o -> assertThat(o.status()).as(o.toString()).isIn(200, 503));

        // every request answered 200 is charged exactly once: the platform's ledger equals the gateway's log
        long creditOk = outcomes.stream().filter(o -> o.kind().equals("credit") && o.status() == 200).count() + 1;
        stack.awaitDrained();
        var gwDb = org.springframework.jdbc.core.simple.JdbcClient.create(
                stack.gw().context().getBean(javax.sql.DataSource.class));
        List<String[]> logs = CreditStack.poll(Duration.ofSeconds(20), () -> gwDb
                .sql("SELECT request_id, cost_usd FROM logs WHERE type = 2 AND token_id = ?").param(credit.tokenId())
                .query((rs, i) -> new String[] {rs.getString(1), rs.getBigDecimal(2).toPlainString()}).list(),
                l -> l.size() >= creditOk);
        List<CreditsServer.Ledger> charges = CreditStack.poll(Duration.ofSeconds(20),
                () -> stack.credits.charges(credit.userId()), c -> c.size() >= creditOk);
        assertThat(logs).hasSize((int) creditOk);
        assertThat(charges).hasSize((int) creditOk);
        assertThat(charges).extracting(CreditsServer.Ledger::eventId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(logs.stream().map(l -> "cg-" + l[0]).toList());
        BigDecimal logged = logs.stream().map(l -> new BigDecimal(l[1]).multiply(BigDecimal.valueOf(100))
                .setScale(6, java.math.RoundingMode.HALF_UP)).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(logged).isEqualByComparingTo(
                BigDecimal.valueOf(-charges.stream().mapToLong(CreditsServer.Ledger::amountMicros).sum(), 6));
        // the native token: one log row per 200, its used quota the sum of the rows
        long nativeOk = outcomes.stream().filter(o -> o.kind().equals("native") && o.status() == 200).count();
        List<Long> nativeLogs = CreditStack.poll(Duration.ofSeconds(20), () -> gwDb
                .sql("SELECT quota FROM logs WHERE type = 2 AND token_id = ?").param(nativeTokenId).query(Long.class).list(),
                l -> l.size() >= nativeOk);
        assertThat(nativeLogs).hasSize((int) nativeOk);
        long used = gwDb.sql("SELECT used_quota FROM tokens WHERE id = ?").param(nativeTokenId).query(Long.class).single();
        assertThat(used).isEqualTo(nativeLogs.stream().mapToLong(Long::longValue).sum());
    }
}
