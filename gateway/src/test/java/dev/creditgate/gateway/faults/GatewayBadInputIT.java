package dev.creditgate.gateway.faults;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.BadRequests;
import dev.creditgate.testkit.MockUpstream;
import dev.creditgate.testkit.TableSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Bad input on every route of the gateway ({@code /v1/**}, {@code /api/**}): each case answers a 4xx in the route's
 * error shape and leaves every table as it was (all rows of all tables compared before and after). The routes come
 * from Spring's {@link RequestMappingHandlerMapping}; a route without cases fails {@link #everyRouteHasBadInputCases}.
 */
class GatewayBadInputIT {

    static final String MODEL = "gpt-4o-mini";
    static MockUpstream mock;
    static RunningGateway gw;
    static DataSource db;
    static String key;
    static long userId;
    static long tokenId;
    static long channelId;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start();
        gw = RunningGateway.start(TestDatabases.h2(), "gateway.logs.flush-interval=20ms",
                "gateway.usage.outbox.poll-interval=50ms");
        db = gw.context().getBean(DataSource.class);
        channelId = ok(gw.admin("POST", "/api/channel/", json("name", "mock", "type", "openai", "base_url",
                mock.baseUrl(), "key", "sk-upstream", "models", MODEL))).data().path("id").asLong();
        userId = ok(gw.admin("POST", "/api/user/", json("username", "abuse", "quota", 1_000_000))).data().path("id").asLong();
        var token = ok(gw.admin("POST", "/api/token/", json("name", "t", "user_id", userId, "remain_quota", 500_000)));
        tokenId = token.data().path("id").asLong();
        key = token.data().path("key").asString();
        gw.context().getBean(dev.creditgate.gateway.channel.ChannelSelector.class).refresh();
        // one real request, so that logs, quota and the token's counters hold rows a bad request could disturb
        assertThat(chat(json("model", MODEL, "messages", List.of(Map.of("role", "user", "content", "hi")))).status())
                .isEqualTo(200);
        BadRequests.awaitRows(db, "logs", 1);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    private static RunningGateway.Answer ok(RunningGateway.Answer a) {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }

    private static RunningGateway.Answer chat(String body) {
        return gw.call("POST", "/v1/chat/completions", body, "Bearer " + key);
    }

    /** Every route Spring serves (controllers only, Spring's own {@code /error} left out), as {@code METHOD /path}. */
    static Set<String> routes() {
        return BadRequests.routes(gw.context().getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class));
    }

    /**
     * The console's pages ({@code GET /console/**}) render or redirect to the login: no 4xx to check here; their
     * sessions, CSRF and escaping are {@code GatewayConsoleIT}'s. Every state-changing console route has cases.
     */
    static boolean isConsolePage(String route) {
        return route.startsWith("GET /console");
    }

    @Test
    void everyRouteHasBadInputCases() {
        Set<String> covered = new TreeSet<>();
        cases().forEach(c -> covered.add(c.route()));
        assertThat(covered).as("cases name routes that exist").isSubsetOf(routes());
        Set<String> needed = new TreeSet<>(routes());
        needed.removeIf(GatewayBadInputIT::isConsolePage);
        assertThat(needed).as("every route has bad-input cases (add them in GatewayBadInputIT.cases)")
                .isSubsetOf(covered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputAnswers4xxAndChangesNothing(BadRequests.Case c) {
        TableSnapshot before = TableSnapshot.take(db, Set.of());
        BadRequests.Reply r = BadRequests.send(gw.baseUrl(), c);
        BadRequests.assertRefused(c, r);
        BadRequests.assertUnchanged(db, before, c, Set.of());
    }

    @Test
    void aShortWebhookSecretIsRefused() {
        var all = new ArrayList<BadRequests.Case>();
        new BadRequests.Builder(all, "PUT /api/option", "PUT", "/api/option/", BadRequests.Shape.ENVELOPE)
                .auth("Bearer " + RunningGateway.ADMIN_TOKEN)
                .json(json("key", "letaicode_webhook_secret", "value", "short"), 400, "short webhook secret");
        badInputAnswers4xxAndChangesNothing(all.getFirst());
    }

    static Stream<BadRequests.Case> cases() {
        List<BadRequests.Case> all = new ArrayList<>();
        String bearer = "Bearer " + key;
        String admin = "Bearer " + RunningGateway.ADMIN_TOKEN;
        String chatOk = json("model", MODEL, "messages", List.of(Map.of("role", "user", "content", "hi")));

        // relay routes: OpenAI's error shape, Anthropic's on /v1/messages
        for (String path : List.of("/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/messages",
                "/v1/messages/count_tokens")) {
            String route = "POST " + path;
            var b = new BadRequests.Builder(all, route, "POST", path,
                    path.startsWith("/v1/messages") ? BadRequests.Shape.ANTHROPIC : BadRequests.Shape.OPENAI);
            b.auth(null).json(chatOk, 401, "no key");
            b.auth("Bearer sk-' OR '1'='1").json(chatOk, 401, "SQL in the key");
            b.auth("Bearer sk-" + "é中".repeat(20)).json(chatOk, 401, "unicode key");
            b.auth("Bearer " + key + "x").json(chatOk, 401, "key one character longer");
            b.auth(bearer);
            b.json("{", 400, "malformed");
            b.json("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"us", 400, "truncated");
            b.json("[]", 400, "array");
            b.json("\"text\"", 400, "string");
            b.json("null", 400, "null");
            b.json("", 400, "empty");
            b.json("{\"messages\":[]}", 400, "model missing");
            b.json("{\"model\":42,\"messages\":[]}", 400, "model a number");
            b.json("{\"model\":null}", 400, "model null");
            b.json("{\"model\":[\"" + MODEL + "\"]}", 400, "model an array");
            b.json("{\"model\":\"" + MODEL + "\"} trailing", 400, "trailing text");
            b.raw("text/plain", "model=" + MODEL, 400, "text/plain");
            b.raw("application/x-www-form-urlencoded", "model=" + MODEL, 400, "form");
            b.header("X-Big", "a".repeat(20_000)).json(chatOk, 400, "oversized header");
            b.bytes(BadRequests.oversized(9 * 1024 * 1024), 413, "body over 8 MB");
            b.bytes(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}, 400, "invalid UTF-8");
            b.method("GET").json(null, 405, "GET");
        }
        // routes that call the upstream only when a token may use the model: a key of no one changes nothing
        var models = new BadRequests.Builder(all, "GET /v1/models", "GET", "/v1/models", BadRequests.Shape.OPENAI);
        models.auth(null).json(null, 401, "no key");
        models.auth("Bearer sk-nobody").json(null, 401, "unknown key");
        models.auth(bearer).header("X-Big", "a".repeat(20_000)).json(null, 400, "oversized header");
        models.method("DELETE").json(null, 405, "DELETE");
        var model = new BadRequests.Builder(all, "GET /v1/models/{model}", "GET", "/v1/models/x", BadRequests.Shape.OPENAI);
        model.auth(null).json(null, 401, "no key");
        model.auth("Bearer sk-nobody").path("/v1/models/" + MODEL).json(null, 401, "unknown key");
        model.auth(bearer).path("/v1/models/%27%20OR%20%271%27%3D%271").json(null, 404, "SQL as the model");
        model.path("/v1/models/" + "m".repeat(300)).json(null, 404, "300-character model");

        // management routes: new-api's envelope, admin token required
        var status = new BadRequests.Builder(all, "GET /api/status", "GET", "/api/status", BadRequests.Shape.ENVELOPE);
        status.header("X-Big", "a".repeat(20_000)).json(null, 400, "oversized header");
        status.method("POST").json("{}", 405, "POST");

        management(all, admin, "POST /api/user", "POST", "/api/user/", json("username", "new-user", "quota", 10),
                List.of(
                        new BadRequests.Mutation("username missing", "{\"quota\":10}", 400),
                        new BadRequests.Mutation("username a number", "{\"username\":5}", 400),
                        new BadRequests.Mutation("username too long", json("username", "é".repeat(65)), 400),
                        new BadRequests.Mutation("taken username", json("username", "abuse"), 409),
                        new BadRequests.Mutation("negative quota", json("username", "n1", "quota", -1), 400),
                        new BadRequests.Mutation("huge quota", "{\"username\":\"n2\",\"quota\":1e400}", 400),
                        new BadRequests.Mutation("quota beyond long", "{\"username\":\"n3\",\"quota\":99999999999999999999999}", 400),
                        new BadRequests.Mutation("quota a fraction", "{\"username\":\"n4\",\"quota\":1.5}", 400),
                        new BadRequests.Mutation("quota a string", json("username", "n5", "quota", "10; DROP TABLE users"), 400),
                        new BadRequests.Mutation("group too long", json("username", "n6", "group", "g".repeat(65)), 400)));
        getById(all, admin, "GET /api/user/{id}", "/api/user/");
        management(all, admin, "POST /api/user/manage", "POST", "/api/user/manage",
                json("id", userId, "action", "add_quota", "mode", "add", "value", 1),
                List.of(
                        new BadRequests.Mutation("id missing", json("action", "disable"), 400),
                        new BadRequests.Mutation("id SQL", json("id", "1 OR 1=1", "action", "disable"), 400),
                        new BadRequests.Mutation("unknown user", json("id", 987654, "action", "disable"), 404),
                        new BadRequests.Mutation("unknown action", json("id", userId, "action", "delete"), 400),
                        new BadRequests.Mutation("fullwidth action", json("id", userId, "action", "ｄｉｓａｂｌｅ"), 400),
                        new BadRequests.Mutation("unknown mode", json("id", userId, "action", "add_quota", "mode", "multiply", "value", 2), 400),
                        new BadRequests.Mutation("negative value", json("id", userId, "action", "add_quota", "value", -5), 400),
                        new BadRequests.Mutation("value missing", json("id", userId, "action", "add_quota"), 400),
                        new BadRequests.Mutation("huge value", "{\"id\":" + userId + ",\"action\":\"add_quota\",\"value\":1e300}", 400),
                        new BadRequests.Mutation("subtract below zero", json("id", userId, "action", "add_quota", "mode", "subtract", "value", 999_999_999L), 400)));

        management(all, admin, "POST /api/token", "POST", "/api/token/", json("name", "t2", "user_id", userId),
                List.of(
                        new BadRequests.Mutation("name a number", json("name", 42, "user_id", userId), 400),
                        new BadRequests.Mutation("name too long", json("name", "n".repeat(129), "user_id", userId), 400),
                        new BadRequests.Mutation("user_id a string", json("name", "t", "user_id", "1; DROP TABLE tokens"), 400),
                        new BadRequests.Mutation("negative user_id", json("name", "t", "user_id", -1), 400),
                        new BadRequests.Mutation("unknown user", json("name", "t", "user_id", 987654), 400),
                        new BadRequests.Mutation("negative quota", json("name", "t", "user_id", userId, "remain_quota", -2), 400),
                        new BadRequests.Mutation("huge quota", "{\"name\":\"t\",\"user_id\":" + userId + ",\"remain_quota\":1e40}", 400),
                        new BadRequests.Mutation("expired_time a word", json("name", "t", "user_id", userId, "expired_time", "tomorrow"), 400),
                        new BadRequests.Mutation("unknown source", json("name", "t", "user_id", userId, "source", "native' OR '1'='1"), 400),
                        new BadRequests.Mutation("remote_key_id too long", json("name", "t", "source", "letaicode", "remote_key_id", "r".repeat(65)), 400),
                        new BadRequests.Mutation("imported key too short", json("name", "t", "user_id", userId, "key", "short"), 400),
                        new BadRequests.Mutation("imported key taken", json("name", "t", "user_id", userId, "key", key), 409),
                        new BadRequests.Mutation("model_limits a number", json("name", "t", "user_id", userId, "model_limits", 5), 400),
                        new BadRequests.Mutation("allow_ips garbage", json("name", "t", "user_id", userId, "allow_ips", "not-an-ip"), 400),
                        new BadRequests.Mutation("unlimited_quota a string", json("name", "t", "user_id", userId, "unlimited_quota", "yes"), 400)));
        getById(all, admin, "GET /api/token/{id}", "/api/token/");
        list(all, admin, "GET /api/token", "/api/token/", List.of("p=abc", "page_size=-1", "user_id=1%20OR%201%3D1",
                "p=99999999999999999999"));
        management(all, admin, "PUT /api/token", "PUT", "/api/token/", json("id", tokenId, "name", "renamed"),
                List.of(
                        new BadRequests.Mutation("id missing", json("name", "x"), 400),
                        new BadRequests.Mutation("unknown token", json("id", 987654, "name", "x"), 404),
                        new BadRequests.Mutation("status out of range", json("id", tokenId, "status", 9), 400),
                        new BadRequests.Mutation("status a string", json("id", tokenId, "status", "1 OR 1=1"), 400),
                        new BadRequests.Mutation("negative quota", json("id", tokenId, "remain_quota", -7), 400),
                        new BadRequests.Mutation("name too long", json("id", tokenId, "name", "é".repeat(129)), 400),
                        new BadRequests.Mutation("allow_ips garbage", json("id", tokenId, "allow_ips", "999.1.1.1"), 400)));
        deleteById(all, admin, "DELETE /api/token/{id}", "/api/token/");

        management(all, admin, "POST /api/channel", "POST", "/api/channel/",
                json("name", "c2", "type", "openai", "base_url", mock.baseUrl(), "key", "k", "models", MODEL),
                List.of(
                        new BadRequests.Mutation("base_url missing", json("name", "c", "type", "openai", "key", "k", "models", MODEL), 400),
                        new BadRequests.Mutation("base_url not a URL", json("name", "c", "type", "openai", "base_url", "javascript:alert(1)", "key", "k", "models", MODEL), 400),
                        new BadRequests.Mutation("unknown type", json("name", "c", "type", "gopher", "base_url", mock.baseUrl(), "key", "k", "models", MODEL), 400),
                        new BadRequests.Mutation("key missing", json("name", "c", "type", "openai", "base_url", mock.baseUrl(), "models", MODEL), 400),
                        new BadRequests.Mutation("models a number", json("name", "c", "type", "openai", "base_url", mock.baseUrl(), "key", "k", "models", 7), 400),
                        new BadRequests.Mutation("weight negative", json("name", "c", "type", "openai", "base_url", mock.baseUrl(), "key", "k", "models", MODEL, "weight", -1), 400),
                        new BadRequests.Mutation("status out of range", json("name", "c", "type", "openai", "base_url", mock.baseUrl(), "key", "k", "models", MODEL, "status", 99), 400),
                        new BadRequests.Mutation("priority huge", "{\"name\":\"c\",\"type\":\"openai\",\"base_url\":\"" + mock.baseUrl() + "\",\"key\":\"k\",\"models\":\"" + MODEL + "\",\"priority\":1e400}", 400),
                        new BadRequests.Mutation("model_mapping a string", json("name", "c", "type", "openai", "base_url", mock.baseUrl(), "key", "k", "models", MODEL, "model_mapping", "{bad"), 400)));
        getById(all, admin, "GET /api/channel/{id}", "/api/channel/");
        list(all, admin, "GET /api/channel", "/api/channel/", List.of("p=abc", "page_size=abc"));
        management(all, admin, "PUT /api/channel", "PUT", "/api/channel/", json("id", channelId, "name", "renamed"),
                List.of(
                        new BadRequests.Mutation("id missing", json("name", "x"), 400),
                        new BadRequests.Mutation("unknown channel", json("id", 987654, "name", "x"), 404),
                        new BadRequests.Mutation("bad base_url", json("id", channelId, "base_url", "ftp://x"), 400),
                        new BadRequests.Mutation("status a string", json("id", channelId, "status", "on"), 400),
                        new BadRequests.Mutation("unknown type", json("id", channelId, "type", "gopher"), 400)));
        deleteById(all, admin, "DELETE /api/channel/{id}", "/api/channel/");

        var optionsGet = new BadRequests.Builder(all, "GET /api/option", "GET", "/api/option/", BadRequests.Shape.ENVELOPE);
        optionsGet.auth(null).json(null, 401, "no admin token");
        optionsGet.auth("Bearer " + key).json(null, 401, "a relay key");
        management(all, admin, "PUT /api/option", "PUT", "/api/option/", json("key", "letaicode_timeout_ms", "value", "1500"),
                List.of(
                        new BadRequests.Mutation("key missing", json("value", "1"), 400),
                        new BadRequests.Mutation("negative timeout", json("key", "letaicode_timeout_ms", "value", "-1"), 400),
                        new BadRequests.Mutation("timeout a word", json("key", "letaicode_timeout_ms", "value", "soon"), 400),
                        new BadRequests.Mutation("unknown credit mode", json("key", "letaicode_credit_mode", "value", "free"), 400),
                        new BadRequests.Mutation("unknown fallback", json("key", "letaicode_fallback", "value", "allow' OR '1'='1"), 400),
                        new BadRequests.Mutation("ModelRatio not JSON", json("key", "ModelRatio", "value", "{"), 400),
                        new BadRequests.Mutation("ModelRatio negative", json("key", "ModelRatio", "value", "{\"x\":-1}"), 400),
                        new BadRequests.Mutation("ModelPrice a string", json("key", "ModelPrice", "value", "{\"x\":\"free\"}"), 400),
                        new BadRequests.Mutation("domain not a URL", json("key", "letaicode_domain", "value", "not a url"), 400)));

        list(all, admin, "GET /api/log", "/api/log/", List.of("token_id=abc", "type=1%20OR%201%3D1", "start_timestamp=yesterday",
                "p=-1", "page_size=100000"));
        list(all, admin, "GET /api/log/costs", "/api/log/costs", List.of("start_timestamp=abc", "end_timestamp=1e9", "page_size=x"));
        list(all, admin, "GET /api/usage_event", "/api/usage_event/", List.of("status=gone", "status=failed'%20OR%20'1'='1", "p=abc"));
        var replay = new BadRequests.Builder(all, "POST /api/usage_event/{id}/replay", "POST", "/api/usage_event/1/replay",
                BadRequests.Shape.ENVELOPE);
        replay.auth(null).json(null, 401, "no admin token");
        replay.auth(admin).path("/api/usage_event/987654/replay").json(null, 404, "unknown event");
        replay.path("/api/usage_event/abc/replay").json(null, 400, "id a word");
        replay.path("/api/usage_event/1%20OR%201=1/replay").json(null, 400, "id SQL");
        replay.path("/api/usage_event/99999999999999999999/replay").json(null, 400, "id beyond long");

        var test = new BadRequests.Builder(all, "GET /api/channel/test/{id}", "GET", "/api/channel/test/" + channelId,
                BadRequests.Shape.ENVELOPE);
        test.auth(null).json(null, 401, "no admin token");
        test.auth("Bearer " + key).json(null, 401, "a relay key");
        test.auth(admin).path("/api/channel/test/987654").json(null, 404, "unknown channel");
        test.path("/api/channel/test/abc").json(null, 400, "id a word");
        list(all, admin, "GET /api/log/usage", "/api/log/usage", List.of("start_timestamp=abc", "token_id=1%20OR%201%3D1"));
        for (String route : List.of("POST /api/token/batch/keys", "POST /api/token/{id}/key")) {
            String path = route.contains("batch") ? "/api/token/batch/keys" : "/api/token/" + tokenId + "/key";
            var copy = new BadRequests.Builder(all, route, "POST", path, BadRequests.Shape.ENVELOPE);
            copy.auth(null).json("{}", 401, "no admin token");
            copy.auth(admin).json("{}", 404, "keys are not kept (hashed at rest)");
        }

        // Google's routes: Google's error shape carries error.message like OpenAI's
        for (String prefix : List.of("/v1beta/models/", "/v1/models/")) {
            String route = "POST " + prefix + "{target}";
            String gen = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
            var g = new BadRequests.Builder(all, route, "POST", prefix + MODEL + ":generateContent", BadRequests.Shape.OPENAI);
            g.auth(null).json(gen, 401, "no key");
            g.auth("x-goog-api-key", "sk-' OR '1'='1").json(gen, 401, "SQL in the key");
            g.auth("x-goog-api-key", key);
            g.json("{", 400, "malformed");
            g.json("[]", 400, "array");
            g.path(prefix + "m".repeat(300) + ":generateContent").json(gen, 400, "300-character model");
        }
        var gList = new BadRequests.Builder(all, "GET /v1beta/models", "GET", "/v1beta/models", BadRequests.Shape.OPENAI);
        gList.auth(null).json(null, 401, "no key");
        gList.auth("x-goog-api-key", "sk-nobody").json(null, 401, "unknown key");
        var gOne = new BadRequests.Builder(all, "GET /v1beta/models/{model}", "GET", "/v1beta/models/" + MODEL,
                BadRequests.Shape.OPENAI);
        gOne.auth(null).json(null, 401, "no key");
        gOne.auth("x-goog-api-key", key).path("/v1beta/models/%27%20OR%20%271%27%3D%271").json(null, 404, "SQL as the model");

        // the console's state-changing routes: no session, or a session's cookie without its CSRF token: 403
        for (String route : List.of("POST /console/channels", "POST /console/channels/{id}",
                "POST /console/channels/{id}/delete", "POST /console/channels/{id}/test", "POST /console/logout",
                "POST /console/options", "POST /console/outbox/{id}/replay", "POST /console/tokens",
                "POST /console/tokens/{id}/delete", "POST /console/tokens/{id}/status")) {
            String path = route.substring(5).replace("{id}", route.contains("token") ? Long.toString(tokenId)
                    : route.contains("outbox") ? "1" : Long.toString(channelId));
            var c = new BadRequests.Builder(all, route, "POST", path, BadRequests.Shape.CONTAINER);
            c.raw("application/x-www-form-urlencoded", "name=x&status=2&key=letaicode_timeout_ms&value=1", 403, "no session");
            c.header("Cookie", "cg_console=forged").raw("application/x-www-form-urlencoded",
                    "_csrf=forged&name=x", 403, "forged session");
        }
        var login = new BadRequests.Builder(all, "POST /console/login", "POST", "/console/login", BadRequests.Shape.CONTAINER);
        login.raw("application/x-www-form-urlencoded", "token=' OR '1'='1", 401, "SQL as the token");
        return all.stream();
    }

    /** A JSON route of the management API: auth, the generic malformed bodies, then the route's own mutations. */
    private static void management(List<BadRequests.Case> all, String admin, String route, String method, String path,
                                   String valid, List<BadRequests.Mutation> mutations) {
        var b = new BadRequests.Builder(all, route, method, path, BadRequests.Shape.ENVELOPE);
        b.auth(null).json(valid, 401, "no admin token");
        b.auth("Bearer " + RunningGateway.ADMIN_TOKEN + "x").json(valid, 401, "wrong admin token");
        b.auth("Bearer " + key).json(valid, 401, "a relay key");
        b.auth(admin);
        b.json("{", 400, "malformed");
        b.json(valid.substring(0, valid.length() / 2), 400, "truncated");
        b.json("[]", 400, "array");
        b.json("\"x\"", 400, "string");
        b.json("", 400, "empty");
        b.json(valid.substring(0, valid.length() - 1) + ",\"name\":\"a\",\"name\":\"b\"}", 400, "duplicate key");
        b.raw("text/plain", valid, 415, "text/plain");
        b.header("X-Big", "a".repeat(20_000)).json(valid, 400, "oversized header");
        for (BadRequests.Mutation m : mutations) {
            b.json(m.body(), m.status(), m.label());
        }
    }

    private static void getById(List<BadRequests.Case> all, String admin, String route, String prefix) {
        var b = new BadRequests.Builder(all, route, "GET", prefix + "1", BadRequests.Shape.ENVELOPE);
        b.auth(null).json(null, 401, "no admin token");
        b.auth(admin).path(prefix + "987654").json(null, 404, "unknown id");
        b.path(prefix + "abc").json(null, 400, "id a word");
        b.path(prefix + "1%27%20OR%20%271%27%3D%271").json(null, 400, "id SQL");
        b.path(prefix + "-1").json(null, 404, "negative id");
        b.path(prefix + "99999999999999999999").json(null, 400, "id beyond long");
    }

    private static void deleteById(List<BadRequests.Case> all, String admin, String route, String prefix) {
        var b = new BadRequests.Builder(all, route, "DELETE", prefix + "1", BadRequests.Shape.ENVELOPE);
        b.auth(null).path(prefix + (route.contains("token") ? tokenId : channelId)).json(null, 401, "no admin token");
        b.auth("Bearer " + key).json(null, 401, "a relay key");
        b.auth(admin).path(prefix + "987654").json(null, 404, "unknown id");
        b.path(prefix + "abc").json(null, 400, "id a word");
        b.path(prefix + "1%20OR%201=1").json(null, 400, "id SQL");
    }

    private static void list(List<BadRequests.Case> all, String admin, String route, String path, List<String> queries) {
        var b = new BadRequests.Builder(all, route, "GET", path, BadRequests.Shape.ENVELOPE);
        b.auth(null).json(null, 401, "no admin token");
        b.auth(admin);
        for (String q : queries) {
            b.path(path + "?" + q).json(null, 400, q);
        }
    }
}
