package dev.creditgate.credits;

import dev.creditgate.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.creditgate.contract.UsageEvent;
import dev.creditgate.contract.UsageEventJson;
import dev.creditgate.contract.WebhookSignature;

/**
 * After a mixed concurrent workload (recharges, holds, captures below and above, releases, expiries, webhooks,
 * duplicate deliveries, negative adjustments, leases settled twice through both instances with eventIds shared with
 * captures, released or left to expire) on two instances sharing PostgreSQL: for every user the sum of the
 * ledger entries equals the balance, and {@code held} equals the pending holds' amounts.
 */
class LedgerInvariantIT {

    @Test
    void entriesSumToBalances() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.now());
        TestDatabases.Db db = TestDatabases.postgres();
        // an adjustment that does not fit waits for leases nobody refreshes here: keep that wait short
        try (CreditsApp a = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h",
                "credits.leases.recall-wait", "100ms"));
             CreditsApp b = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "100ms",
                     "credits.leases.recall-wait", "100ms"))) {
            List<String[]> users = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                users.add(a.userWithKey("5", 500 + i));
            }
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < 16; w++) {
                    int worker = w;
                    pool.submit(() -> {
                        SplittableRandom r = new SplittableRandom(worker);
                        for (int i = 0; i < 30; i++) {
                            CreditsApp app = r.nextBoolean() ? a : b;
                            String[] u = users.get(r.nextInt(users.size()));
                            String id = worker + "-" + i;
                            switch (r.nextInt(7)) {
                                case 0 -> app.admin("POST", "/api/users/" + u[0] + "/credits",
                                        "{\"amount\":\"1.5\",\"type\":\"BONUS\",\"ref\":\"b-" + (id.hashCode() % 20) + "-" + u[0] + "\"}");
                                case 1 -> app.admin("POST", "/api/users/" + u[0] + "/credits",
                                        "{\"amount\":-0.25,\"type\":\"ADMIN_ADJUST\"}");
                                case 2 -> {
                                    byte[] body = UsageEventJson.writeBytes(UsageEvent.usage("ev-" + (id.hashCode() % 25), 1,
                                            new UsageEvent.Data(0, u[1], "m", 1, 1, 2, new BigDecimal("0.0033"))));
                                    app.call("POST", "/api/webhooks/usage", body,
                                            Map.of(WebhookSignature.HEADER_V1, WebhookSignature.v1(CreditsApp.SECRET, body)));
                                }
                                case 3 -> {
                                    // a lease settled through both instances, eventIds sometimes shared with captures
                                    CreditsApp.Answer l = app.service("POST", "/api/credits/leases", "{\"keyId\":\""
                                            + u[1] + "\",\"owner\":\"w" + worker + "\",\"amountUsd\":0.02,\"ttlSeconds\":"
                                            + (1 + r.nextInt(120)) + "}");
                                    if (l.status() != 201 && l.status() != 200) {
                                        continue;
                                    }
                                    String lease = l.json().get("leaseId").asString();
                                    String events = "{\"events\":[{\"eventId\":\"cap-x" + (id.hashCode() % 10)
                                            + "\",\"keyId\":\"" + u[1] + "\",\"costUsd\":0.004},{\"eventId\":\"lease-" + id
                                            + "\",\"keyId\":\"" + u[1] + "\",\"costUsd\":0.006}]}";
                                    CreditsApp other = app == a ? b : a;
                                    other.service("POST", "/api/credits/leases/" + lease + "/settle", events);
                                    app.service("POST", "/api/credits/leases/" + lease + "/settle", events);
                                    if (r.nextBoolean()) {
                                        other.service("POST", "/api/credits/leases/" + lease + "/release", null);
                                    } // else left to expire
                                }
                                default -> {
                                    CreditsApp.Answer h = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + u[1]
                                            + "\",\"requestId\":\"h-" + id + "\",\"amountUsd\":0.02,\"ttlSeconds\":" + (1 + r.nextInt(120)) + "}");
                                    if (h.status() != 201) {
                                        continue;
                                    }
                                    String hold = h.json().get("holdId").asString();
                                    CreditsApp other = app == a ? b : a;
                                    switch (r.nextInt(4)) {
                                        case 0 -> other.service("POST", "/api/credits/holds/" + hold + "/release", null);
                                        case 1 -> { } // left to expire
                                        default -> {
                                            String cost = r.nextBoolean() ? "0.015" : "0.031";
                                            String ev = "cap-" + (r.nextInt(3) == 0 ? "x" + (id.hashCode() % 10) : id);
                                            other.service("POST", "/api/credits/holds/" + hold + "/capture",
                                                    "{\"costUsd\":" + cost + ",\"eventId\":\"" + ev + "\"}");
                                            other.service("POST", "/api/credits/holds/" + hold + "/capture",
                                                    "{\"costUsd\":" + cost + ",\"eventId\":\"" + ev + "\"}");
                                        }
                                    }
                                }
                            }
                        }
                        return null;
                    });
                }
            }
            clock.advance(Duration.ofMinutes(5));
            // the sweeper of instance b finalises the expired holds
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (a.jdbc().sql("SELECT (SELECT COUNT(*) FROM holds WHERE status = 'PENDING')"
                    + " + (SELECT COUNT(*) FROM leases WHERE status = 'ACTIVE')").query(Long.class).single() > 0
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(a.jdbc().sql("SELECT COUNT(*) FROM holds WHERE status = 'PENDING'").query(Long.class).single()).isZero();
            assertThat(a.jdbc().sql("SELECT COUNT(*) FROM leases WHERE status = 'ACTIVE'").query(Long.class).single()).isZero();
            assertThat(a.jdbc().sql("SELECT COUNT(*) FROM ledger_entries WHERE type = 'LEASE_CHARGE'").query(Long.class)
                    .single()).isPositive();
            long entries = a.jdbc().sql("SELECT COUNT(*) FROM ledger_entries").query(Long.class).single();
            assertThat(entries).isGreaterThan(50);
            for (String[] u : users) {
                long balance = a.jdbc().sql("SELECT balance FROM users WHERE id = :u").param("u", u[0]).query(Long.class).single();
                long sum = a.jdbc().sql("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u")
                        .param("u", u[0]).query(Long.class).single();
                long held = a.jdbc().sql("SELECT held FROM users WHERE id = :u").param("u", u[0]).query(Long.class).single();
                assertThat(sum).as("entries of " + u[0]).isEqualTo(balance);
                assertThat(held).as("held of " + u[0]).isZero();
                // the last entry carries the balance after it
                Long last = a.jdbc().sql("SELECT balance_after FROM ledger_entries WHERE user_id = :u ORDER BY id DESC LIMIT 1")
                        .param("u", u[0]).query(Long.class).single();
                assertThat(last).isEqualTo(balance);
                JsonNode view = a.admin("GET", "/api/users/" + u[0], null).json().get("data");
                assertThat(view.get("balance").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(balance, 6));
            }
            // every processed event was charged exactly once (event ids are per user: security review finding 14)
            assertThat(a.jdbc().sql("SELECT COUNT(*) FROM ledger_entries WHERE event_id IS NOT NULL").query(Long.class).single())
                    .isEqualTo(a.jdbc().sql("SELECT COUNT(*) FROM processed_events e WHERE EXISTS (SELECT 1 FROM ledger_entries l WHERE l.event_id = e.event_id AND l.user_id = e.user_id)").query(Long.class).single());
            assertThat(a.jdbc().sql("SELECT COUNT(*) FROM (SELECT event_id FROM ledger_entries WHERE event_id IS NOT NULL GROUP BY user_id, event_id HAVING COUNT(*) > 1) d")
                    .query(Long.class).single()).isZero();
        }
    }
}
