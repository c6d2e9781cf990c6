package dev.creditgate.credits.lease;

import static dev.creditgate.credits.lease.Leases.dec;
import static dev.creditgate.credits.lease.Leases.ledgerSum;
import static dev.creditgate.credits.lease.Leases.open;
import static dev.creditgate.credits.lease.Leases.refresh;
import static dev.creditgate.credits.lease.Leases.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;

/**
 * Recall: a negative ADMIN_ADJUST larger than the available credit succeeds while a gateway refreshes its lease
 * (which shrinks to what is in use while the user is recalled), and fails clearly, changing nothing, when the
 * gateways holding the credit do not refresh within {@code credits.leases.recall-wait}.
 */
class LeaseRecallIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void adjustmentWaitsForTheLeasesToShrink(String vendor) throws Exception {
        Leases.onDatabase(vendor, Instant.parse("2026-03-01T10:00:00Z"), (app, clock) -> {
            String[] ids = app.userWithKey("100", 51);
            String userId = ids[0];
            String key = ids[1];
            String credits = "/api/users/" + userId + "/credits";
            String l1 = open(app, key, "gw-1", "1", 30, 201).get("leaseId").asString(); // 50
            String l2 = open(app, key, "gw-2", "1", 30, 201).get("leaseId").asString(); // 25
            assertThat(Leases.available(app, key)).isEqualTo("25");

            // gw-1 refreshes every 100 ms with 5 credits in use; gw-2 does not refresh at all
            AtomicBoolean stop = new AtomicBoolean();
            List<JsonNode> answers = new CopyOnWriteArrayList<>();
            Thread refresher = Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    answers.add(refresh(app, l1, "1", "0.05", 200));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long t0 = System.nanoTime();
            CreditsApp.Answer adjusted = app.admin("POST", credits, "{\"amount\":-60,\"type\":\"ADMIN_ADJUST\"}");
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            stop.set(true);
            refresher.join();
            assertThat(adjusted.status()).as(adjusted.body()).isEqualTo(201);
            assertThat(adjusted.json().get("data").get("balanceAfter").decimalValue()).isEqualByComparingTo("40");
            assertThat(waitedMs).isLessThan(2_000);
            assertThat(answers).anySatisfy(a -> {
                assertThat(a.get("recalled").booleanValue()).isTrue();
                assertThat(dec(a, "amount")).isEqualTo("5"); // shrunk to what is in use, not grown
            });
            assertThat(user(app, userId)).containsExactly(40_000_000L, 30_000_000L); // gw-1: 5, gw-2: 25
            assertThat(recalls(app)).isZero();
            // the recall is over: the next refresh may grow again (half of the 10 free)
            JsonNode after = refresh(app, l1, "1", "0", 200);
            assertThat(after.get("recalled").booleanValue()).isFalse();
            assertThat(dec(after, "amount")).isEqualTo("10");
            assertThat(dec(after, "available")).isEqualTo("5");

            // nobody returns the credit: the adjustment fails after the wait, naming what the leases hold
            t0 = System.nanoTime();
            CompletableFuture<CreditsApp.Answer> pending = CompletableFuture.supplyAsync(() ->
                    app.admin("POST", credits, "{\"amount\":-30,\"type\":\"ADMIN_ADJUST\"}"));
            while (recalls(app) == 0 && !pending.isDone()) {
                Thread.sleep(5);
            }
            // meanwhile: no new lease; a refresh answers recalled and keeps only what is in use (here: all of it)
            CreditsApp.Answer third = Leases.open(app, key, "gw-3", "0.1", "0", 30);
            assertThat(third.status()).as(third.body()).isEqualTo(402);
            assertThat(third.json().get("message").asString()).contains("being recalled from leases");
            JsonNode kept = refresh(app, l2, "1", "0.25", 200);
            assertThat(kept.get("recalled").booleanValue()).isTrue();
            assertThat(dec(kept, "amount")).isEqualTo("25");
            CreditsApp.Answer failed = pending.get(10, TimeUnit.SECONDS);
            long failedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(failed.status()).as(failed.body()).isEqualTo(409);
            assertThat(failed.json().get("code").asString()).isEqualTo("conflict");
            assertThat(failed.json().get("message").asString()).isEqualTo("amount: -30 would take the available credit"
                    + " below 0: 35 credits are held by leases of gateway instances that did not return them within 2000 ms");
            assertThat(failedAfterMs).isGreaterThanOrEqualTo(1_900);
            assertThat(user(app, userId)).containsExactly(40_000_000L, 35_000_000L);
            assertThat(recalls(app)).isZero();
            assertThat(refresh(app, l2, "0.25", "0", 200).get("recalled").booleanValue()).isFalse();

            // an adjustment that fits is not delayed; a user without leases is refused at once, as before leases
            t0 = System.nanoTime();
            assertThat(app.admin("POST", credits, "{\"amount\":-1,\"type\":\"ADMIN_ADJUST\"}").status()).isEqualTo(201);
            String[] other = app.userWithKey("5", 52);
            CreditsApp.Answer plain = app.admin("POST", "/api/users/" + other[0] + "/credits",
                    "{\"amount\":-6,\"type\":\"ADMIN_ADJUST\"}");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_500);
            assertThat(plain.status()).isEqualTo(409);
            assertThat(plain.json().get("message").asString()).isEqualTo("amount: -6 would take the available credit below 0");

            assertThat(ledgerSum(app, userId)).isEqualTo(39_000_000L);
            String prom = app.call("GET", "/actuator/prometheus", (String) null, Map.of()).body();
            assertThat(prom).contains("credits_lease_recalls_total{outcome=\"returned\"} 1.0")
                    .contains("credits_lease_recalls_total{outcome=\"timeout\"} 1.0");
        });
    }

    /**
     * A hold refused while other instances' leases hold the credit it needs recalls them: their next refresh gives
     * back what is not in use, so the retry fits (a small balance is not stranded in a lease). One mark at a time;
     * none when the leases could not make the hold fit.
     */
    @ParameterizedTest
    @MethodSource("vendors")
    void aRefusedHoldRecallsTheCreditSittingInLeases(String vendor) throws Exception {
        Leases.onDatabase(vendor, Instant.parse("2026-03-01T10:00:00Z"), (app, clock) -> {
            String[] ids = app.userWithKey("100", 53);
            String userId = ids[0];
            String key = ids[1];
            String l1 = open(app, key, "gw-1", "1", 30, 201).get("leaseId").asString(); // 50
            String l2 = open(app, key, "gw-2", "1", 30, 201).get("leaseId").asString(); // 25
            assertThat(Leases.available(app, key)).isEqualTo("25");

            assertThat(hold(app, key, "r1", "0.40").status()).isEqualTo(402); // 40 credits: 25 free, 75 in leases
            assertThat(activeRecalls(app, clock.millis())).isOne();
            assertThat(hold(app, key, "r2", "0.40").status()).isEqualTo(402);
            assertThat(activeRecalls(app, clock.millis())).as("one mark per user at a time").isOne();
            assertThat(Leases.open(app, key, "gw-3", "1", "0", 30).status()).as("no lease opens meanwhile")
                    .isEqualTo(402);

            // each instance's next refresh keeps only what it has in use
            JsonNode r1 = refresh(app, l1, "1", "0.05", 200);
            assertThat(r1.get("recalled").booleanValue()).isTrue();
            assertThat(dec(r1, "amount")).isEqualTo("5");
            assertThat(dec(refresh(app, l2, "1", "0", 200), "amount")).isEqualTo("0");
            assertThat(Leases.available(app, key)).isEqualTo("95");
            CreditsApp.Answer retry = hold(app, key, "r3", "0.40");
            assertThat(retry.status()).as(retry.body()).isEqualTo(201);

            // the mark ends after recall-wait; the leases may grow again
            clock.advance(java.time.Duration.ofMillis(2_001));
            assertThat(activeRecalls(app, clock.millis())).isZero();
            assertThat(refresh(app, l1, "1", "0", 200).get("recalled").booleanValue()).isFalse();

            // a hold the leases could not make fit recalls nothing
            String before = Leases.available(app, key);
            assertThat(hold(app, key, "r4", "50").status()).isEqualTo(402);
            assertThat(activeRecalls(app, clock.millis())).isZero();
            assertThat(Leases.available(app, key)).isEqualTo(before);
            assertThat(user(app, userId)[0]).isEqualTo(100_000_000L); // nothing charged by any of this

            String prom = app.call("GET", "/actuator/prometheus", (String) null, Map.of()).body();
            assertThat(prom).contains("credits_lease_recalls_total{outcome=\"hold_refused\"} 1.0");
        });
    }

    static CreditsApp.Answer hold(CreditsApp app, String key, String requestId, String usd) {
        return app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + key + "\",\"requestId\":\""
                + requestId + "\",\"amountUsd\":\"" + usd + "\",\"ttlSeconds\":300}");
    }

    static long activeRecalls(CreditsApp app, long now) {
        return app.jdbc().sql("SELECT COUNT(*) FROM lease_recalls WHERE until_ms > :now").param("now", now)
                .query(Long.class).single();
    }

    static long recalls(CreditsApp app) {
        return app.jdbc().sql("SELECT COUNT(*) FROM lease_recalls").query(Long.class).single();
    }
}
