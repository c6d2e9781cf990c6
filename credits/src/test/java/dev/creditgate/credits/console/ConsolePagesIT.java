package dev.creditgate.credits.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.credits.apikey.StubGateway;

/**
 * The console's pages and their queries on PostgreSQL and MariaDB (the browser test runs on H2), over plain HTTP:
 * a user created and topped up through the console's forms, found by a case-insensitive search (LIKE wildcards in
 * the query are literal), a capture, a webhook and a lease shown on the operator's pages, and the key holder's
 * usage chart.
 */
class ConsolePagesIT {

    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void everyPageOnEveryDatabase(String vendor) throws Exception {
        TestDatabases.Db db = TestDatabases.of(vendor);
        try (StubGateway gateway = new StubGateway();
             CreditsApp app = CreditsApp.start(db, null, Map.of("credits.gateway.url", gateway.url(),
                     "credits.gateway.admin-token", StubGateway.ADMIN))) {
            String operator = login(app, CreditsApp.ADMIN);
            String csrf = csrf(get(app, "/console/", operator).body());

            HttpResponse<String> created = post(app, "/console/users", operator,
                    Map.of("_csrf", csrf, "email", "Grace.Hopper@example.test", "name", "Grace"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(302);
            String userId = created.headers().firstValue("Location").orElseThrow()
                    .replaceAll(".*/console/users/([0-9a-f-]{36}).*", "$1");
            HttpResponse<String> twice = post(app, "/console/users", operator,
                    Map.of("_csrf", csrf, "email", "Grace.Hopper@example.test", "name", "Again"));
            assertThat(twice.statusCode()).isEqualTo(409);
            assertThat(twice.body()).contains("a user with this email exists");
            assertThat(get(app, "/console?q=" + enc("HOPPER@"), operator).body()).contains("Grace.Hopper@example.test");
            assertThat(get(app, "/console?q=" + enc("%"), operator).body()).doesNotContain("Grace.Hopper@example.test");
            assertThat(get(app, "/console?q=" + enc("_race"), operator).body()).doesNotContain("Grace.Hopper@example.test");

            assertThat(post(app, "/console/users/" + userId + "/credits", operator, Map.of("_csrf", csrf,
                    "type", "RECHARGE", "amount", "12.5", "reason", "first top-up", "ref", "t-1")).statusCode()).isEqualTo(302);
            HttpResponse<String> again = post(app, "/console/users/" + userId + "/credits", operator, Map.of("_csrf", csrf,
                    "type", "RECHARGE", "amount", "12.5", "reason", "first top-up", "ref", "t-1"));
            assertThat(again.headers().firstValue("Location").orElseThrow()).endsWith("done=replayed");

            JsonNode key = app.admin("POST", "/api/keys", "{\"userId\":\"" + userId + "\",\"label\":\"ci\"}").json().get("data");
            String keyId = key.get("id").asString();
            JsonNode hold = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + keyId
                    + "\",\"requestId\":\"pages-" + vendor + "\",\"amountUsd\":\"0.05\",\"model\":\"m-" + vendor + "\"}").json();
            app.service("POST", "/api/credits/holds/" + hold.get("holdId").asString() + "/capture", "{\"costUsd\":\"0.025\"}");
            app.usageWebhook("pages-webhook-" + vendor, System.currentTimeMillis(), key.get("remoteKeyId").asLong(), keyId, "0.01");
            app.service("POST", "/api/credits/leases", "{\"keyId\":\"" + keyId + "\",\"owner\":\"gw-" + vendor
                    + "\",\"amountUsd\":\"0.02\",\"ttlSeconds\":600}");

            String user = get(app, "/console/users/" + userId, operator).body();
            assertThat(user).contains("first top-up", "RECHARGE", "CAPTURE", "DEDUCT", "-2.5", "-1", "gw-" + vendor,
                    "m-" + vendor, "<span class=\"figure\" id=\"balance\">9</span>",
                    "<span class=\"figure\" id=\"held\">2</span>");
            assertThat(get(app, "/console/holds", operator).body()).contains("m-" + vendor, "CAPTURED", "gw-" + vendor, "ACTIVE");
            assertThat(get(app, "/console/webhooks", operator).body()).contains("pages-webhook-" + vendor, "charged");

            // the ledger is paged, newest first, 20 a page
            for (int i = 0; i < OperatorController.LEDGER_PAGE; i++) {
                assertThat(app.admin("POST", "/api/users/" + userId + "/credits",
                        "{\"amount\":\"0.5\",\"type\":\"BONUS\",\"desc\":\"bulk " + i + "\"}").status()).isEqualTo(201);
            }
            String first = get(app, "/console/users/" + userId, operator).body();
            assertThat(first).contains("bulk 19", "page 1 of 2").doesNotContain("first top-up");
            String second = get(app, "/console/users/" + userId + "?page=2", operator).body();
            assertThat(second).contains("first top-up", "page 2 of 2").doesNotContain("bulk 19");
            app.admin("POST", "/api/users/" + userId + "/credits", "{\"amount\":\"-10\",\"type\":\"ADMIN_ADJUST\"}");

            String holder = login(app, key.get("key").asString());
            String me = get(app, "/console/me", holder).body();
            String today = LocalDate.now(ZoneOffset.UTC).toString();
            assertThat(me).contains("data-day=\"" + today + "\" data-credits=\"3.5\"", "id=\"usage-total\">3.5<",
                    "<span class=\"figure\" id=\"available\">7</span>").doesNotContain(key.get("key").asString());
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static String login(CreditsApp app, String token) throws Exception {
        HttpResponse<String> r = post(app, "/console/login", null, Map.of("token", token));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        String c = r.headers().firstValue("Set-Cookie").orElseThrow();
        return c.substring(ConsoleAccess.COOKIE.length() + 1, c.indexOf(';'));
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as(page).isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(CreditsApp app, String path, String session) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(app.base + path))
                .header("Cookie", ConsoleAccess.COOKIE + "=" + session).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r;
    }

    private static HttpResponse<String> post(CreditsApp app, String path, String session, Map<String, String> form)
            throws Exception {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(app.base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            r.header("Cookie", ConsoleAccess.COOKIE + "=" + session);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
