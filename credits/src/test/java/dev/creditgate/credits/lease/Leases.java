package dev.creditgate.credits.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.testkit.MutableClock;

/** Calls of the lease API for tests, and reads of the rows behind it. Amounts as the API takes them (USD strings). */
final class Leases {

    private Leases() {
    }

    /** What a test does with its app and the app's clock. */
    interface Body {
        void run(CreditsApp app, MutableClock clock) throws Exception;
    }

    /**
     * Runs {@code body} against one app on a fresh database of {@code vendor}, with a clock standing at
     * {@code start} and the sweeper left to the test (it sweeps when the test says so).
     */
    static void onDatabase(String vendor, Instant start, Body body) throws Exception {
        TestDatabases.Db db = TestDatabases.of(vendor);
        MutableClock clock = new MutableClock(start);
        try (CreditsApp app = CreditsApp.start(db, clock, Map.of("credits.holds.sweep-interval", "1h"))) {
            body.run(app, clock);
        } finally {
            TestDatabases.drop(db);
        }
    }

    static CreditsApp.Answer open(CreditsApp app, String key, String owner, String amountUsd, String minUsd, int ttl) {
        return app.service("POST", "/api/credits/leases", "{\"keyId\":\"" + key + "\",\"owner\":\"" + owner
                + "\",\"amountUsd\":\"" + amountUsd + "\",\"minUsd\":\"" + minUsd + "\",\"ttlSeconds\":" + ttl + "}");
    }

    static JsonNode open(CreditsApp app, String key, String owner, String amountUsd, int ttl, int expect) {
        CreditsApp.Answer r = open(app, key, owner, amountUsd, "0", ttl);
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    static CreditsApp.Answer refresh(CreditsApp app, String lease, String amountUsd, String inUseUsd, int ttl,
                                     List<String> keyIds) {
        StringBuilder keys = new StringBuilder();
        for (String k : keyIds) {
            keys.append(keys.isEmpty() ? "" : ",").append('"').append(k).append('"');
        }
        return app.service("POST", "/api/credits/leases/" + lease + "/refresh", "{\"amountUsd\":\"" + amountUsd
                + "\",\"minUsd\":0,\"inUseUsd\":\"" + inUseUsd + "\",\"ttlSeconds\":" + ttl + ",\"keyIds\":[" + keys + "]}");
    }

    static JsonNode refresh(CreditsApp app, String lease, String amountUsd, String inUseUsd, int expect) {
        CreditsApp.Answer r = refresh(app, lease, amountUsd, inUseUsd, 30, List.of());
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    /** One event of a settlement, as JSON. */
    static String event(String eventId, String keyId, String costUsd) {
        return "{\"eventId\":\"" + eventId + "\",\"keyId\":\"" + keyId + "\",\"costUsd\":\"" + costUsd
                + "\",\"model\":\"gpt-4o\",\"promptTokens\":10,\"completionTokens\":5,\"totalTokens\":15}";
    }

    static CreditsApp.Answer settle(CreditsApp app, String lease, List<String> events) {
        return app.service("POST", "/api/credits/leases/" + lease + "/settle",
                "{\"events\":[" + String.join(",", events) + "]}");
    }

    static JsonNode settle(CreditsApp app, String lease, int expect, String... events) {
        CreditsApp.Answer r = settle(app, lease, List.of(events));
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    static JsonNode release(CreditsApp app, String lease, int expect) {
        CreditsApp.Answer r = app.service("POST", "/api/credits/leases/" + lease + "/release", null);
        assertThat(r.status()).as(r.body()).isEqualTo(expect);
        return r.json();
    }

    /** {@code "outcome:charged"} per event of a settle answer, e.g. {@code [CHARGED:1, DUPLICATE_EVENT:0]}. */
    static List<String> outcomes(JsonNode settled) {
        return settled.get("results").valueStream().map(e -> e.get("outcome").asString() + ":"
                + e.get("charged").decimalValue().stripTrailingZeros().toPlainString()).toList();
    }

    static String dec(JsonNode n, String field) {
        return n.get(field).decimalValue().stripTrailingZeros().toPlainString();
    }

    /** The user's row: {@code {balance, held}} in micro-credits. */
    static long[] user(CreditsApp app, String userId) {
        return app.jdbc().sql("SELECT balance, held FROM users WHERE id = :u").param("u", userId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }

    static String status(CreditsApp app, String lease) {
        return app.jdbc().sql("SELECT status FROM leases WHERE id = :id").param("id", lease).query(String.class).single();
    }

    /** The available credit the balance endpoint answers for a key. */
    static String available(CreditsApp app, String key) {
        return app.service("GET", "/api/credits/balance/" + key, null).json().get("credit").decimalValue()
                .stripTrailingZeros().toPlainString();
    }

    static long ledgerSum(CreditsApp app, String userId) {
        return app.jdbc().sql("SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE user_id = :u")
                .param("u", userId).query(Long.class).single();
    }
}
