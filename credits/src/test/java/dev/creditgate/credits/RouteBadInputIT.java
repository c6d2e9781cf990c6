package dev.creditgate.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.creditgate.contract.UsageEvent;
import dev.creditgate.contract.UsageEventJson;
import dev.creditgate.contract.WebhookSignature;
import dev.creditgate.testkit.BadRequests;
import dev.creditgate.testkit.BadRequests.Mutation;
import dev.creditgate.testkit.TableSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Bad input on every route of the credit platform (users, credits, keys, balance, holds, leases, webhooks, options,
 * reconciliation): each case answers a 4xx in the envelope {@code {success:false, message}} and leaves every table
 * as it was, all rows compared before and after ({@code webhook_log} excepted on the webhook route: SPEC 5 records
 * every delivery). The routes come from Spring's {@link RequestMappingHandlerMapping}; a route without cases fails
 * {@link #everyRouteHasBadInputCases}. {@link BadInputIT} checks the messages of the hold and credit cases.
 */
class RouteBadInputIT {

    static CreditsApp app;
    static DataSource db;
    static String userId;
    static String keyId;
    static String otherKeyId;
    static String holdId;
    static String capturedHoldId;
    static String leaseId;
    static final String ADMIN = "Bearer " + CreditsApp.ADMIN;
    static final String NOBODY = "00000000-0000-0000-0000-000000000000";

    @BeforeAll
    static void start() {
        app = CreditsApp.start(TestDatabases.h2(), null, Map.of());
        db = app.context.getBean(DataSource.class);
        String[] ids = app.userWithKey("100", 71);
        userId = ids[0];
        keyId = ids[1];
        otherKeyId = app.userWithKey("5", 72)[1];
        holdId = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + keyId + "\",\"requestId\":\"open-1\",\"amountUsd\":\"0.01\",\"ttlSeconds\":600}")
                .json().get("holdId").asString();
        capturedHoldId = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + keyId + "\",\"requestId\":\"done-1\",\"amountUsd\":\"0.01\"}")
                .json().get("holdId").asString();
        assertThat(app.service("POST", "/api/credits/holds/" + capturedHoldId + "/capture", "{\"costUsd\":\"0.005\",\"eventId\":\"ev-done\"}")
                .status()).isEqualTo(200);
        CreditsApp.Answer lease = app.service("POST", "/api/credits/leases",
                "{\"keyId\":\"" + keyId + "\",\"owner\":\"gw-1\",\"amountUsd\":\"0.05\",\"ttlSeconds\":600}");
        assertThat(lease.status()).as(lease.body()).isEqualTo(201);
        leaseId = lease.json().get("leaseId").asString();
        assertThat(app.usageWebhook("ev-charged", System.currentTimeMillis(), 71, keyId, "0.001").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyRouteHasBadInputCases() {
        Set<String> routes = BadRequests.routes(app.context.getBean("requestMappingHandlerMapping",
                RequestMappingHandlerMapping.class));
        Set<String> covered = new TreeSet<>();
        cases().forEach(c -> covered.add(c.route()));
        assertThat(covered).as("cases name routes that exist").isSubsetOf(routes);
        // the console's pages (GET /console/**) render or redirect to the login: CreditsConsoleIT checks them
        Set<String> needed = new TreeSet<>(routes);
        needed.removeIf(r -> r.startsWith("GET /console"));
        assertThat(needed).as("every route has bad-input cases (add them in RouteBadInputIT.cases)").isSubsetOf(covered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputAnswers4xxAndChangesNothing(BadRequests.Case c) {
        Set<String> ignored = c.route().equals("POST /api/webhooks/usage") ? Set.of("webhook_log") : Set.of();
        TableSnapshot before = TableSnapshot.take(db, ignored);
        BadRequests.Reply r = BadRequests.send(app.base, c);
        BadRequests.assertRefused(c, r);
        BadRequests.assertUnchanged(db, before, c, ignored);
    }

    private static String json(Object... kv) {
        var n = CreditsApp.JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            n.set((String) kv[i], CreditsApp.JSON.valueToTree(kv[i + 1]));
        }
        return n.toString();
    }

    static Stream<BadRequests.Case> cases() {
        List<BadRequests.Case> all = new ArrayList<>();
        String service = CreditsApp.SERVICE;

        route(all, "POST /api/users", "POST", "/api/users", "admin", json("email", "new@example.test", "name", "N"), List.of(
                new Mutation("email missing", json("name", "N"), 400),
                new Mutation("email not an address", json("email", "' OR '1'='1", "name", "N"), 400),
                new Mutation("email a number", json("email", 42, "name", "N"), 400),
                new Mutation("name an object", json("email", "a@example.test", "name", Map.of("x", 1)), 400),
                new Mutation("name too long", json("email", "b@example.test", "name", "é".repeat(300)), 400)));
        byId(all, "GET /api/users/{id}", "GET", "/api/users/", "admin", 404);
        list(all, "GET /api/users", "/api/users", "admin", List.of("page=0", "page=abc", "pageSize=1000", "pageSize=-1",
                "page=99999999999"));
        route(all, "POST /api/users/{id}/credits", "POST", "/api/users/" + userId + "/credits", "admin",
                json("amount", "1", "type", "RECHARGE"), List.of(
                        new Mutation("amount missing", json("type", "RECHARGE"), 400),
                        new Mutation("amount zero", json("amount", 0, "type", "RECHARGE"), 400),
                        new Mutation("amount negative", json("amount", -1, "type", "BONUS"), 400),
                        new Mutation("amount absurd", "{\"amount\":1e400,\"type\":\"RECHARGE\"}", 400),
                        new Mutation("amount beyond long", "{\"amount\":99999999999999999999999999,\"type\":\"RECHARGE\"}", 400),
                        new Mutation("amount too precise", json("amount", "0.0000001", "type", "RECHARGE"), 400),
                        new Mutation("amount a word", json("amount", "ten", "type", "RECHARGE"), 400),
                        new Mutation("amount NaN", json("amount", "NaN", "type", "RECHARGE"), 400),
                        new Mutation("amount a boolean", json("amount", true, "type", "RECHARGE"), 400),
                        new Mutation("unknown type", json("amount", 1, "type", "GIFT' OR '1'='1"), 400),
                        new Mutation("adjustment below zero", json("amount", -1000, "type", "ADMIN_ADJUST"), 409),
                        new Mutation("ref too long", json("amount", 1, "type", "RECHARGE", "ref", "r".repeat(300)), 400)));
        var unknownUser = new BadRequests.Builder(all, "POST /api/users/{id}/credits", "POST", "/api/users/" + NOBODY + "/credits",
                BadRequests.Shape.ENVELOPE).auth(ADMIN);
        unknownUser.json(json("amount", 1, "type", "RECHARGE"), 404, "unknown user");
        unknownUser.path("/api/users/1%20OR%201=1/credits").json(json("amount", 1, "type", "RECHARGE"), 404, "SQL as the user");
        byId(all, "GET /api/users/{id}/transactions", "GET", "/api/users/%s/transactions", "admin", 404);
        list(all, "GET /api/users/{id}/transactions", "/api/users/" + userId + "/transactions", "admin",
                List.of("page=abc", "pageSize=1000", "page=-1"));

        route(all, "POST /api/keys", "POST", "/api/keys", "admin", json("userId", userId, "label", "k"), List.of(
                new Mutation("userId missing", json("label", "k"), 400),
                new Mutation("unknown user", json("userId", NOBODY, "label", "k"), 404),
                new Mutation("SQL as the user", json("userId", "' OR '1'='1", "label", "k"), 404),
                new Mutation("userId a number", json("userId", 5, "label", "k"), 400),
                new Mutation("label too long", json("userId", userId, "label", "l".repeat(101)), 400)));
        list(all, "GET /api/keys", "/api/keys", "admin", List.of());
        byId(all, "GET /api/keys/{id}", "GET", "/api/keys/", "admin", 404);
        route(all, "PATCH /api/keys/{id}", "PATCH", "/api/keys/" + keyId, "admin", json("status", "DISABLED"), List.of(
                new Mutation("status missing", "{}", 400),
                new Mutation("unknown status", json("status", "ACTIVE' OR '1'='1"), 400),
                new Mutation("lower-case status", json("status", "disabled"), 400),
                new Mutation("status a number", json("status", 2), 400)));
        var patchUnknown = new BadRequests.Builder(all, "PATCH /api/keys/{id}", "PATCH", "/api/keys/" + NOBODY, BadRequests.Shape.ENVELOPE)
                .auth(ADMIN);
        patchUnknown.json(json("status", "DISABLED"), 404, "unknown key");
        byId(all, "DELETE /api/keys/{id}", "DELETE", "/api/keys/", "admin", 404);

        var balance = new BadRequests.Builder(all, "GET /api/credits/balance/{keyId}", "GET", "/api/credits/balance/" + keyId,
                BadRequests.Shape.ENVELOPE);
        balance.json(null, 401, "no token");
        balance.auth("X-API-Key", service + "x").json(null, 401, "wrong token");
        balance.auth("X-API-Key", "' OR '1'='1").json(null, 401, "SQL as the token");
        balance.auth("X-API-Key", service).path("/api/credits/balance/" + NOBODY).json(null, 404, "unknown key");
        balance.path("/api/credits/balance/1%27%20OR%20%271%27=%271").json(null, 404, "SQL as the key");
        balance.path("/api/credits/balance/" + "k".repeat(300)).json(null, 404, "300-character key");
        balance.header("X-Big", "a".repeat(20_000)).json(null, 400, "oversized header");

        String hold = json("keyId", keyId, "requestId", "new-1", "amountUsd", "0.01");
        route(all, "POST /api/credits/holds", "POST", "/api/credits/holds", "service", hold, List.of(
                new Mutation("keyId missing", json("requestId", "x", "amountUsd", 1), 400),
                new Mutation("unknown key", json("keyId", NOBODY, "requestId", "x", "amountUsd", 1), 404),
                new Mutation("another key's requestId", json("keyId", otherKeyId, "requestId", "open-1", "amountUsd", "0.01"), 409),
                new Mutation("negative amount", json("keyId", keyId, "requestId", "x", "amountUsd", -1), 400),
                new Mutation("absurd amount", "{\"keyId\":\"" + keyId + "\",\"requestId\":\"x\",\"amountUsd\":1e400}", 400),
                new Mutation("amount a word", json("keyId", keyId, "requestId", "x", "amountUsd", "lots"), 400),
                new Mutation("more than the credit", json("keyId", keyId, "requestId", "x", "amountUsd", "999999"), 402),
                new Mutation("ttl zero", json("keyId", keyId, "requestId", "x", "amountUsd", 1, "ttlSeconds", 0), 400),
                new Mutation("ttl a string", json("keyId", keyId, "requestId", "x", "amountUsd", 1, "ttlSeconds", "long"), 400),
                new Mutation("requestId too long", json("keyId", keyId, "requestId", "é".repeat(129), "amountUsd", 1), 400),
                new Mutation("model an array", json("keyId", keyId, "requestId", "x", "amountUsd", 1, "model", List.of("m")), 400)));
        String capture = "/api/credits/holds/" + holdId + "/capture";
        route(all, "POST /api/credits/holds/{holdId}/capture", "POST", capture, "service", json("costUsd", "0.001", "eventId", "cap-x"), List.of(
                new Mutation("cost missing", json("eventId", "cap-x"), 400),
                new Mutation("negative cost", json("costUsd", "-1", "eventId", "cap-x"), 400),
                new Mutation("absurd cost", "{\"costUsd\":1e400,\"eventId\":\"cap-x\"}", 400),
                new Mutation("cost a boolean", json("costUsd", false, "eventId", "cap-x"), 400),
                new Mutation("negative tokens", json("costUsd", "0.001", "usage", Map.of("promptTokens", -1)), 400),
                new Mutation("tokens a string", json("costUsd", "0.001", "usage", Map.of("promptTokens", "many")), 400),
                new Mutation("usage a string", json("costUsd", "0.001", "usage", "none"), 400),
                new Mutation("eventId too long", json("costUsd", "0.001", "eventId", "e".repeat(200)), 400)));
        var captureOther = new BadRequests.Builder(all, "POST /api/credits/holds/{holdId}/capture", "POST",
                "/api/credits/holds/" + NOBODY + "/capture", BadRequests.Shape.ENVELOPE).auth("X-API-Key", service);
        captureOther.json(json("costUsd", "0.001"), 404, "unknown hold");
        captureOther.path("/api/credits/holds/1%20OR%201=1/capture").json(json("costUsd", "0.001"), 404, "SQL as the hold");
        captureOther.path("/api/credits/holds/" + capturedHoldId + "/capture").json(json("costUsd", "0.009", "eventId", "ev-other"),
                409, "captured hold, another cost");
        holdAction(all, "release", service);
        holdAction(all, "extend", service);

        String open = json("keyId", keyId, "owner", "gw-2", "amountUsd", "0.02");
        route(all, "POST /api/credits/leases", "POST", "/api/credits/leases", "service", open, List.of(
                new Mutation("owner missing", json("keyId", keyId, "amountUsd", 1), 400),
                new Mutation("owner with spaces", json("keyId", keyId, "owner", "gw 1; DROP TABLE leases", "amountUsd", 1), 400),
                new Mutation("unknown key", json("keyId", NOBODY, "owner", "gw-2", "amountUsd", 1), 404),
                new Mutation("negative amount", json("keyId", keyId, "owner", "gw-2", "amountUsd", -1), 400),
                new Mutation("min above amount", json("keyId", keyId, "owner", "gw-2", "amountUsd", 1, "minUsd", 2), 400),
                new Mutation("ttl huge", json("keyId", keyId, "owner", "gw-2", "amountUsd", 1, "ttlSeconds", 999_999_999), 400)));
        String lease = "/api/credits/leases/" + leaseId;
        route(all, "POST /api/credits/leases/{leaseId}/refresh", "POST", lease + "/refresh", "service", json("amountUsd", "0.01"), List.of(
                new Mutation("keyIds a string", json("amountUsd", "0.01", "keyIds", "all"), 400),
                new Mutation("keyIds numbers", json("amountUsd", "0.01", "keyIds", List.of(1, 2)), 400),
                new Mutation("negative in use", json("amountUsd", "0.01", "inUseUsd", -1), 400),
                new Mutation("amount a word", json("amountUsd", "more"), 400)));
        var refreshUnknown = new BadRequests.Builder(all, "POST /api/credits/leases/{leaseId}/refresh", "POST",
                "/api/credits/leases/" + NOBODY + "/refresh", BadRequests.Shape.ENVELOPE).auth("X-API-Key", service);
        refreshUnknown.json(json("amountUsd", "0.01"), 404, "unknown lease");
        Map<String, Object> ev = Map.of("eventId", "le-1", "keyId", keyId, "costUsd", "0.001");
        route(all, "POST /api/credits/leases/{leaseId}/settle", "POST", lease + "/settle", "service", json("events", List.of(ev)), List.of(
                new Mutation("events missing", "{}", 400),
                new Mutation("events empty", json("events", List.of()), 400),
                new Mutation("event a string", json("events", List.of("e")), 400),
                new Mutation("eventId twice", json("events", List.of(ev, ev)), 400),
                new Mutation("negative cost", json("events", List.of(Map.of("eventId", "le-2", "keyId", keyId, "costUsd", "-1"))), 400),
                new Mutation("another user's key", json("events", List.of(Map.of("eventId", "le-3", "keyId", otherKeyId, "costUsd", "0.001"))), 400),
                new Mutation("negative tokens", json("events", List.of(Map.of("eventId", "le-4", "keyId", keyId, "costUsd", "0.001", "promptTokens", -5))), 400)));
        var settleUnknown = new BadRequests.Builder(all, "POST /api/credits/leases/{leaseId}/settle", "POST",
                "/api/credits/leases/" + NOBODY + "/settle", BadRequests.Shape.ENVELOPE).auth("X-API-Key", service);
        settleUnknown.json(json("events", List.of(ev)), 404, "unknown lease");
        var release = new BadRequests.Builder(all, "POST /api/credits/leases/{leaseId}/release", "POST", lease + "/release",
                BadRequests.Shape.ENVELOPE);
        release.json(null, 401, "no token");
        release.auth("X-API-Key", CreditsApp.BALANCE_ONLY).json(null, 403, "balance-only token");
        release.auth("X-API-Key", service).path("/api/credits/leases/" + NOBODY + "/release").json(null, 404, "unknown lease");

        webhooks(all);

        list(all, "GET /api/options", "/api/options", "admin", List.of());
        route(all, "PUT /api/options", "PUT", "/api/options", "admin", json("key", "credits_per_usd", "value", "100"), List.of(
                new Mutation("unknown key", json("key", "nope", "value", "1"), 400),
                new Mutation("negative rate", json("key", "credits_per_usd", "value", "-1"), 400),
                new Mutation("rate a word", json("key", "credits_per_usd", "value", "many"), 400),
                new Mutation("rate zero", json("key", "credits_per_usd", "value", 0), 400),
                new Mutation("absurd rate", "{\"key\":\"credits_per_usd\",\"value\":1e400}", 400),
                new Mutation("value missing", json("key", "credits_per_usd"), 400),
                new Mutation("value an object", json("key", "credits_per_usd", "value", Map.of("a", 1)), 400)));
        list(all, "GET /api/reconciliation", "/api/reconciliation", "admin", List.of("from=abc&to=1", "from=1", "from=-1&to=5",
                "from=1&to=99999999999999999999", "from=1%20OR%201=1&to=2"));
        // the console's state-changing routes: no session, or a forged one: 403, nothing changed
        for (String route : List.of("POST /console/keys/{keyId}/status", "POST /console/logout", "POST /console/users",
                "POST /console/users/{id}/credits", "POST /console/users/{id}/keys")) {
            String path = route.substring(5).replace("{keyId}", keyId).replace("{id}", userId);
            var c = new BadRequests.Builder(all, route, "POST", path, BadRequests.Shape.CONTAINER);
            c.raw("application/x-www-form-urlencoded", "amount=5&reason=x&email=a%40b.c&status=DISABLED", 403, "no session");
            c.header("Cookie", "cg_credits_console=forged").raw("application/x-www-form-urlencoded",
                    "_csrf=forged&amount=5&reason=x", 403, "forged session");
        }
        var login = new BadRequests.Builder(all, "POST /console/login", "POST", "/console/login", BadRequests.Shape.CONTAINER);
        login.raw("application/x-www-form-urlencoded", "token=sk-' OR '1'='1", 401, "SQL as the token");
        return all.stream();
    }

    private static BadRequests.Builder authed(BadRequests.Builder b, String who) {
        return who.equals("admin") ? b.auth(ADMIN) : b.auth("X-API-Key", CreditsApp.SERVICE);
    }

    /** A JSON route: wrong or missing credentials, the generic malformed bodies, then the route's own mutations. */
    private static void route(List<BadRequests.Case> all, String route, String method, String path, String who,
                              String valid, List<Mutation> mutations) {
        var b = new BadRequests.Builder(all, route, method, path, BadRequests.Shape.ENVELOPE);
        b.json(valid, 401, "no token");
        if (who.equals("admin")) {
            b.auth(ADMIN + "x").json(valid, 401, "wrong admin token");
            b.auth("X-API-Key", CreditsApp.SERVICE).json(valid, 403, "the service token");
        } else {
            b.auth("X-API-Key", CreditsApp.SERVICE + "x").json(valid, 401, "wrong service token");
            b.auth("X-API-Key", CreditsApp.BALANCE_ONLY).json(valid, 403, "balance-only token");
        }
        authed(b, who);
        b.json("{", 400, "malformed");
        b.json(valid.substring(0, valid.length() / 2), 400, "truncated");
        b.json("[]", 400, "array");
        b.json("\"x\"", 400, "string");
        b.json("null", 400, "null");
        b.json("", 400, "empty");
        b.json(valid.substring(0, valid.length() - 1) + ",\"x\":1,\"x\":2}", 400, "duplicate key");
        b.json(valid + " trailing", 400, "trailing text");
        b.bytes(new byte[] {(byte) 0xc3, (byte) 0x28, '{', '}'}, 400, "invalid UTF-8");
        b.bytes(BadRequests.oversized(route.endsWith("/settle") ? 1_100_000 : 70_000), 413, "body over its limit");
        b.header("X-Big", "a".repeat(20_000)).json(valid, 400, "oversized header");
        for (Mutation m : mutations) {
            b.json(m.body(), m.status(), m.label());
        }
    }

    private static void byId(List<BadRequests.Case> all, String route, String method, String pathPattern, String who,
                             int unknown) {
        String prefix = pathPattern.contains("%s") ? pathPattern : pathPattern + "%s";
        var b = new BadRequests.Builder(all, route, method, String.format(prefix, userId), BadRequests.Shape.ENVELOPE);
        b.json(null, 401, "no token");
        if (who.equals("admin")) {
            b.auth("X-API-Key", CreditsApp.SERVICE).json(null, 403, "the service token");
        }
        authed(b, who);
        b.path(String.format(prefix, NOBODY)).json(null, unknown, "unknown id");
        b.path(String.format(prefix, "1%27%20OR%20%271%27=%271")).json(null, unknown, "SQL as the id");
        b.path(String.format(prefix, "%C3%A9%E4%B8%AD")).json(null, unknown, "unicode id");
        b.path(String.format(prefix, "x".repeat(500))).json(null, unknown, "500-character id");
    }

    private static void list(List<BadRequests.Case> all, String route, String path, String who, List<String> queries) {
        var b = new BadRequests.Builder(all, route, "GET", path, BadRequests.Shape.ENVELOPE);
        b.json(null, 401, "no token");
        b.auth(ADMIN + "x").json(null, 401, "wrong admin token");
        b.auth("X-API-Key", CreditsApp.SERVICE).json(null, 403, "the service token");
        authed(b, who);
        b.header("X-Big", "a".repeat(20_000)).json(null, 400, "oversized header");
        for (String q : queries) {
            b.path(path + "?" + q).json(null, 400, q);
        }
    }

    private static void holdAction(List<BadRequests.Case> all, String action, String service) {
        String route = "POST /api/credits/holds/{holdId}/" + action;
        var b = new BadRequests.Builder(all, route, "POST", "/api/credits/holds/" + holdId + "/" + action, BadRequests.Shape.ENVELOPE);
        b.json(null, 401, "no token");
        b.auth("X-API-Key", CreditsApp.BALANCE_ONLY).json(null, 403, "balance-only token");
        b.auth("X-API-Key", service);
        String body = action.equals("extend") ? "{\"ttlSeconds\":60}" : null;
        b.path("/api/credits/holds/" + NOBODY + "/" + action).json(body, 404, "unknown hold");
        b.path("/api/credits/holds/1%20OR%201=1/" + action).json(body, 404, "SQL as the hold");
        if (action.equals("extend")) {
            b.path("/api/credits/holds/" + holdId + "/extend").json("{\"ttlSeconds\":-5}", 400, "negative ttl");
            b.json("{\"ttlSeconds\":\"soon\"}", 400, "ttl a word");
            b.json("{", 400, "malformed");
            b.path("/api/credits/holds/" + capturedHoldId + "/extend").json("{\"ttlSeconds\":60}", 409, "captured hold");
        }
    }

    private static void webhooks(List<BadRequests.Case> all) {
        String secret = CreditsApp.SECRET;
        long now = System.currentTimeMillis();
        byte[] fresh = UsageEventJson.writeBytes(UsageEvent.usage("wh-bad-1", now,
                new UsageEvent.Data(71L, keyId, "gpt-4o", 1, 1, 2, new BigDecimal("0.001"))));
        String freshText = new String(fresh, StandardCharsets.UTF_8);
        var b = new BadRequests.Builder(all, "POST /api/webhooks/usage", "POST", "/api/webhooks/usage", BadRequests.Shape.ENVELOPE);
        b.json(freshText, 401, "unsigned");
        b.auth(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret + "x", fresh)).json(freshText, 401, "forged v1");
        b.auth(WebhookSignature.HEADER_V1, "zz" + WebhookSignature.v1(secret, fresh).substring(2)).json(freshText, 401, "v1 not hex");
        b.auth(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret, fresh))
                .json(freshText.replace("0.001", "1000"), 401, "v1 of another body");
        long stale = now / 1000 - 3600;
        b.auth(WebhookSignature.HEADER_V2, WebhookSignature.v2Header(secret, stale, fresh))
                .header(WebhookSignature.HEADER_TIMESTAMP, Long.toString(stale)).json(freshText, 401, "v2 replayed an hour later");
        b.auth(WebhookSignature.HEADER_V2, WebhookSignature.v2Header(secret + "x", now / 1000, fresh))
                .header(WebhookSignature.HEADER_TIMESTAMP, Long.toString(now / 1000)).json(freshText, 401, "forged v2");
        for (String[] bad : new String[][] {
                {"malformed", "{"},
                {"truncated", freshText.substring(0, freshText.length() / 2)},
                {"array", "[]"},
                {"cost negative", freshText.replace("\"cost\":0.001", "\"cost\":-1")},
                {"cost absurd", freshText.replace("\"cost\":0.001", "\"cost\":1e400")},
                {"cost a word", freshText.replace("\"cost\":0.001", "\"cost\":\"free\"")},
                {"tokens negative", freshText.replace("\"promptTokens\":1", "\"promptTokens\":-1")},
                {"eventId missing", freshText.replace("\"eventId\":\"wh-bad-1\",", "")},
                {"eventType unknown", freshText.replace("\"usage\"", "\"refund\"")},
                {"duplicate key", freshText.replace("{\"eventId\"", "{\"eventId\":\"a\",\"eventId\"")},
        }) {
            byte[] body = bad[1].getBytes(StandardCharsets.UTF_8);
            b.auth(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret, body)).json(bad[1], 400, "signed, " + bad[0]);
        }
        for (String[] unknown : new String[][] {{"unknown key", NOBODY}, {"SQL as the key", "' OR '1'='1"}}) {
            String text = freshText.replace(keyId, unknown[1]);
            b.auth(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret, text.getBytes(StandardCharsets.UTF_8)))
                    .json(text, 404, "signed, " + unknown[0]);
        }
        // the key's own webhook, correctly signed, but for another user's key id with this key's gateway token
        String otherBody = freshText.replace(keyId, otherKeyId);
        b.auth(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret, otherBody.getBytes(StandardCharsets.UTF_8)))
                .json(otherBody, 400, "another user's key id with this token id");
        b.auth(WebhookSignature.HEADER_V1, WebhookSignature.v1(secret, fresh)).bytes(BadRequests.oversized(70_000), 413, "body over 64 KB");
    }
}
