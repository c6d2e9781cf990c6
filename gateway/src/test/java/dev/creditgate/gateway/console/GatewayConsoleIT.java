package dev.creditgate.gateway.console;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import dev.creditgate.testkit.browser.Browser;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The gateway console (SPEC 5a) in a real headless Chromium against a real gateway (H2) and the mock upstream:
 * the operator logs in, adds a channel and tests it, creates a key, calls {@code /v1/chat/completions} with it and
 * finds the call in the logs, the CSV and the usage chart; options with a refused value; the outbox replay; CSRF,
 * session cookie and login throttling over plain HTTP. Screenshots go to {@code docs/screenshots/gateway-*.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayConsoleIT {

    static final Path SHOTS = Path.of("").toAbsolutePath().getParent().resolve("docs/screenshots");
    static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    TestDatabases.Db db;
    RunningGateway gw;
    MockUpstream upstream;
    Browser browser;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() {
        db = TestDatabases.h2();
        upstream = MockUpstream.start();
        gw = RunningGateway.start(db, "gateway.logs.flush-interval=50ms", "gateway.token-cache-ttl=1s");
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        gw.close();
        upstream.close();
    }

    Browser browser() {
        Browser.unavailable().ifPresent(reason -> System.out.println("GatewayConsoleIT browser test skipped: " + reason));
        Assumptions.assumeTrue(Browser.unavailable().isEmpty(), () -> Browser.unavailable().orElse(""));
        if (browser == null) {
            browser = Browser.start();
        }
        return browser;
    }

    String url(String path) {
        return gw.baseUrl() + path;
    }

    void shot(String page) {
        browser.screenshot(SHOTS.resolve("gateway-" + page + ".png"));
    }

    void login(Browser b) {
        b.open(url("/console/login")).fill("token", RunningGateway.ADMIN_TOKEN).click(By.id("login")).awaitText("Log out");
    }

    // ---- the scenario, in the browser ---------------------------------------------------------------

    @Test
    @Order(1)
    void operatorAddsAChannelCreatesAKeyUsesItAndFindsTheCallInLogsCsvAndChart() throws Exception {
        Browser b = browser();
        b.open(url("/console/tokens"));
        assertThat(b.driver().getCurrentUrl()).as("no session: the login page").endsWith("/console/login");
        shot("login");
        b.fill("token", "not-the-admin-token").click(By.id("login")).awaitText("Wrong admin token");
        login(b);

        Cookie cookie = b.driver().manage().getCookieNamed(ConsoleLogin.COOKIE);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getPath()).isEqualTo("/console");
        assertThat(cookie.getValue()).doesNotContain(RunningGateway.ADMIN_TOKEN);

        // A channel to the mock upstream, then its test button.
        b.open(url("/console/channels"));
        b.fill("name", "mock").fill("base_url", upstream.baseUrl()).fill("key", "sk-upstream-console")
                .fill("models", "console-model,other-model").click(By.id("create-channel")).awaitText("console-model");
        upstream.resetStats();
        b.click(By.cssSelector("button.test")).awaitText("test (console-model): OK");
        assertThat(b.text()).containsPattern("HTTP 200, \\d+ ms");
        assertThat(upstream.calls("/v1/chat/completions")).isEqualTo(1);
        assertThat(b.driver().getPageSource()).doesNotContain("sk-upstream-console");
        shot("channels");

        // The test models have no price: let native billing accept them (the options page, as an operator would).
        b.open(url("/console/options"));
        WebElement newOption = b.await(By.id("new-option"));
        newOption.findElement(By.name("key")).sendKeys("AllowUnpricedModels");
        newOption.findElement(By.name("value")).sendKeys("true");
        newOption.findElement(By.tagName("button")).click();
        b.awaitText("Saved AllowUnpricedModels.");

        // A key, shown once.
        b.open(url("/console/tokens"));
        b.fill("name", "console-key").click(By.cssSelector("input[name=unlimited_quota]")).click(By.id("create-token"));
        String key = b.await(By.id("new-key")).getText();
        assertThat(key).matches("sk-[A-Za-z0-9]{48}");
        shot("tokens");
        b.open(url("/console/tokens"));
        assertThat(b.text()).contains("console-key").doesNotContain(key.substring(3));

        // It works.
        upstream.usage(21, 13);
        HttpResponse<String> call = http.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json("model", "console-model",
                        "messages", List.of(Map.of("role", "user", "content", "hello")))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);

        // The logs show it (the log writer flushes every 50 ms), filtered by token and model.
        long tokenId = gw.admin("GET", "/api/token/?p=1&page_size=10", null).data().path("items").get(0).path("id").asLong();
        String filter = "?token_id=" + tokenId + "&model=console-model";
        b.open(url("/console/logs" + filter));
        for (int i = 0; i < 50 && !b.text().contains("1 requests"); i++) {
            Thread.sleep(100);
            b.open(url("/console/logs" + filter));
        }
        assertThat(b.text()).contains("1 requests").contains("console-key").contains("console-model");
        assertThat(b.driver().findElements(By.cssSelector("tr.log-row"))).hasSize(1);
        assertThat(b.driver().findElement(By.cssSelector("tr.log-row")).getText()).contains("21").contains("13");
        shot("logs");
        // The key's row on the tokens page counts the call and its quota.
        long charged = gw.admin("GET", "/api/log/?token_id=" + tokenId, null).data().path("items").get(0)
                .path("quota").asLong();
        assertThat(charged).isPositive();
        b.open(url("/console/tokens"));
        assertThat(b.await(By.id("token-" + tokenId)).getText())
                .contains("console-key").contains(" " + charged + " unlimited 1 native");
        b.open(url("/console/logs?model=other-model"));
        assertThat(b.text()).contains("No matching requests.");

        // The CSV with the same filters, fetched with the browser's session cookie.
        b.open(url("/console/logs" + filter));
        String csvHref = b.await(By.id("csv")).getAttribute("href");
        HttpResponse<String> csv = http.send(HttpRequest.newBuilder(URI.create(csvHref))
                .header("Cookie", ConsoleLogin.COOKIE + "=" + cookie.getValue()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new java.io.StringReader(csv.body())).getRecords();
        assertThat(rows).as(csvHref + "\n" + csv.body()).hasSize(1);
        assertThat(rows.getFirst().get("model_name")).isEqualTo("console-model");
        assertThat(rows.getFirst().get("token_name")).isEqualTo("console-key");
        assertThat(rows.getFirst().get("prompt_tokens")).isEqualTo("21");
        assertThat(rows.getFirst().get("completion_tokens")).isEqualTo("13");

        // The usage chart has a bar for the model.
        b.open(url("/console/usage"));
        WebElement perModel = b.await(By.id("chart-2"));
        List<WebElement> bars = perModel.findElements(By.cssSelector("rect"));
        assertThat(bars).hasSize(1);
        assertThat(Double.parseDouble(bars.getFirst().getAttribute("height"))).isGreaterThan(0);
        assertThat(b.await(By.id("per-model")).getText()).contains("console-model 1");
        shot("usage");
        b.size(Browser.PHONE);
        try {
            b.open(url("/console/usage"));
            assertThat(noHorizontalScroll(b)).as("usable at 390 px: no sideways scrolling").isTrue();
            shot("usage-phone");
            b.open(url("/console/tokens"));
            assertThat(noHorizontalScroll(b)).isTrue();
        } finally {
            b.size(Browser.LAPTOP);
        }

        // Disable the key: the API refuses it; enable it again; delete it.
        b.open(url("/console/tokens"));
        b.click(By.cssSelector("#token-" + tokenId + " button.toggle")).awaitText("disabled");
        assertThat(gw.call("POST", "/v1/chat/completions", json("model", "console-model",
                "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key).status())
                .isEqualTo(401);
        b.click(By.cssSelector("#token-" + tokenId + " button.toggle")).awaitText("Disable");
        b.click(By.cssSelector("#token-" + tokenId + " button.delete"));
        b.awaitText("0 tokens");

        // Log out: the session is gone.
        b.click(By.id("logout")).awaitUrlEnding("/console/login");
        b.open(url("/console/tokens"));
        assertThat(b.driver().getCurrentUrl()).endsWith("/console/login");
        HttpResponse<String> afterLogout = http.send(HttpRequest.newBuilder(URI.create(url("/console/tokens")))
                .header("Cookie", ConsoleLogin.COOKIE + "=" + cookie.getValue()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(afterLogout.statusCode()).isEqualTo(302);
    }

    @Test
    @Order(2)
    void channelEditKeepsTheKeyWriteOnlyAndAFailingTestSaysWhy() {
        Browser b = browser();
        login(b);
        long id = gw.admin("POST", "/api/channel/", json("name", "to-edit", "type", "openai", "base_url",
                upstream.baseUrl(), "key", "sk-secret-upstream-key", "models", "edit-model")).data().path("id").asLong();
        b.open(url("/console/channels/" + id));
        assertThat(b.driver().getPageSource()).doesNotContain("sk-secret-upstream-key");
        assertThat(b.await(By.name("key")).getAttribute("value")).isEmpty();
        shot("channel-edit");
        b.fill("priority", "7").fill("weight", "3").fill("models", "edit-model,edit-model-2");
        b.click(By.id("save-channel")).awaitText("edit-model,edit-model-2");
        var channel = gw.admin("GET", "/api/channel/" + id, null).data();
        assertThat(channel.path("priority").asLong()).isEqualTo(7);
        assertThat(channel.path("weight").asInt()).isEqualTo(3);
        // The key was kept: the channel still works.
        upstream.apiKey("sk-secret-upstream-key");
        try {
            b.click(By.cssSelector("#channel-" + id + " button.test")).awaitText("test (edit-model): OK");
            upstream.failNext(1, 500);
            b.click(By.cssSelector("#channel-" + id + " button.test")).awaitText("test (edit-model): failed");
            assertThat(b.await(By.id("test-result")).getText()).contains("HTTP 500");
        } finally {
            upstream.reset();
        }
        // A refused edit is shown and changes nothing.
        b.open(url("/console/channels/" + id));
        b.fill("base_url", "ftp://nowhere.example").click(By.id("save-channel"));
        b.awaitText("base_url");
        assertThat(gw.admin("GET", "/api/channel/" + id, null).data().path("base_url").asString())
                .isEqualTo(upstream.baseUrl());
    }

    @Test
    @Order(3)
    void aRefusedOptionIsShownNextToItsFieldAndNothingIsStored() {
        Browser b = browser();
        login(b);
        gw.admin("PUT", "/api/option/", json("key", "letaicode_credit_mode", "value", "check"));
        gw.admin("PUT", "/api/option/", json("key", "letaicode_admin_token", "value", "very-secret-service-token-0123456789-abcdef"));
        b.open(url("/console/options"));
        assertThat(b.driver().getPageSource()).doesNotContain("very-secret-service-token-0123456789-abcdef");
        WebElement form = b.await(By.id("option-letaicode_credit_mode"));
        WebElement value = form.findElement(By.name("value"));
        value.clear();
        value.sendKeys("bogus");
        form.findElement(By.tagName("button")).click();
        WebElement refused = b.await(By.cssSelector("#option-letaicode_credit_mode .field-error"));
        assertThat(refused.getText()).contains("letaicode_credit_mode").contains("expected: one of");
        shot("options");
        var stored = gw.admin("GET", "/api/option/", null).data();
        assertThat(stored.toString()).contains("\"value\":\"check\"").doesNotContain("bogus");

        // A secret's field is empty; saving it empty keeps the secret.
        WebElement secret = b.await(By.id("option-letaicode_admin_token"));
        assertThat(secret.findElement(By.name("value")).getAttribute("value")).isEmpty();
        secret.findElement(By.tagName("button")).click();
        b.awaitText("Set another option");
        assertThat(gw.context().getBean(dev.creditgate.gateway.option.OptionService.class).all())
                .containsEntry("letaicode_admin_token", "very-secret-service-token-0123456789-abcdef");
    }

    @Test
    @Order(4)
    void aFailedOutboxEventIsReplayed() {
        Browser b = browser();
        login(b);
        JdbcClient jdbc = gw.context().getBean(JdbcClient.class);
        long now = System.currentTimeMillis();
        jdbc.sql("""
                INSERT INTO usage_events (event_id, kind, status, token_id, remote_key_id, hold_id, payload, attempts,
                    next_attempt_at, last_error, created_at, updated_at)
                VALUES ('console-it-1', 'WEBHOOK', 'FAILED', 1, 'key-1', NULL, ?, 8, ?, 'HTTP 503 from the platform', ?, ?)""")
                .params(new dev.creditgate.gateway.usage.outbox.UsagePayload("console-model", 10, 5,
                        new java.math.BigDecimal("0.0125"), now, false).toJson(), now, now, now).update();
        long id = jdbc.sql("SELECT id FROM usage_events WHERE event_id = 'console-it-1'").query(Long.class).single();
        b.open(url("/console/outbox"));
        assertThat(b.await(By.id("event-" + id)).getText()).contains("failed").contains("0.0125")
                .contains("HTTP 503 from the platform");
        shot("outbox");
        b.click(By.cssSelector("#event-" + id + " button.replay"));
        b.awaitText("Usage outbox");
        assertThat(jdbc.sql("SELECT attempts FROM usage_events WHERE id = ?").param(id).query(Integer.class).single())
                .as("a fresh attempt budget").isLessThan(8);
    }

    // ---- CSRF, cookie and login over plain HTTP --------------------------------------------------------------

    /** Logs in with the form; the session cookie's {@code name=value}. */
    String httpLogin() throws Exception {
        HttpResponse<String> r = post("/console/login", null, Map.of("token", RunningGateway.ADMIN_TOKEN));
        assertThat(r.statusCode()).isEqualTo(302);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(ConsoleLogin.COOKIE + "=").contains("; Path=/console").contains("; HttpOnly")
                .contains("; SameSite=Strict").doesNotContain("Secure").doesNotContain(RunningGateway.ADMIN_TOKEN);
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    String csrfOf(String cookie) throws Exception {
        HttpResponse<String> page = get("/console/tokens", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher m = CSRF_FIELD.matcher(page.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    long tokenCount() {
        return gw.admin("GET", "/api/token/", null).data().path("total").asLong();
    }

    @Test
    @Order(5)
    void formsWithoutTheSessionsCsrfTokenAreRefusedAndChangeNothing() throws Exception {
        String cookie = httpLogin();
        String csrf = csrfOf(cookie);
        long before = tokenCount();

        assertThat(post("/console/tokens", cookie, Map.of("name", "forged")).statusCode()).isEqualTo(403);
        assertThat(post("/console/tokens", cookie, Map.of("name", "forged", "_csrf", "wrong-" + csrf)).statusCode())
                .isEqualTo(403);
        assertThat(post("/console/tokens", null, Map.of("name", "forged", "_csrf", csrf)).statusCode())
                .as("a CSRF token without its session").isEqualTo(403);
        String other = httpLogin();
        assertThat(post("/console/tokens", other, Map.of("name", "forged", "_csrf", csrf)).statusCode())
                .as("another session's CSRF token").isEqualTo(403);
        assertThat(post("/console/options", cookie, Map.of("key", "AllowUnpricedModels", "value", "false")).statusCode())
                .isEqualTo(403);
        assertThat(post("/console/logout", cookie, Map.of()).statusCode()).isEqualTo(403);
        assertThat(tokenCount()).isEqualTo(before);
        assertThat(gw.admin("GET", "/api/option/", null).body()).doesNotContain("\"AllowUnpricedModels\",\"value\":\"false\"");

        HttpResponse<String> real = post("/console/tokens", cookie, Map.of("name", "real", "_csrf", csrf));
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(real.body()).contains("Token created");
        assertThat(tokenCount()).isEqualTo(before + 1);

        assertThat(post("/console/logout", cookie, Map.of("_csrf", csrf)).statusCode()).isEqualTo(302);
        assertThat(get("/console/tokens", cookie).statusCode()).as("logged out").isEqualTo(302);
        assertThat(get("/console/tokens", other).statusCode()).as("the other session lives on").isEqualTo(200);
    }

    @Test
    @Order(6)
    void pagesAreNotCachedNorFramedAndRefusedInputIsAPage() throws Exception {
        String cookie = httpLogin();
        HttpResponse<String> page = get("/console/logs", cookie);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("frame-ancestors 'none'");
        HttpResponse<String> bad = get("/console/logs?from=yesterday", cookie);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("from: &quot;yesterday&quot;").contains("<html");
        HttpResponse<String> csv = get("/console/logs.csv", null);
        assertThat(csv.statusCode()).as("no CSV without a session").isEqualTo(302);
        assertThat(get("/console/console.css", null).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void aOneTimeLinkLogsInOnce() throws Exception {
        String link = gw.context().getBean(ConsoleLogin.class).oneTimeLink(Duration.ofMinutes(1));
        HttpResponse<String> first = get(link, null);
        assertThat(first.statusCode()).isEqualTo(302);
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(get("/console/tokens", cookie.substring(0, cookie.indexOf(';'))).statusCode()).isEqualTo(200);
        HttpResponse<String> again = get(link, null);
        assertThat(again.statusCode()).isEqualTo(401);
        assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    @Order(8)
    void theApiBehindTheConsoleFiltersByModelSumsUsageAndTestsChannels() throws Exception {
        long channel = gw.admin("POST", "/api/channel/", json("name", "api", "type", "openai", "base_url",
                upstream.baseUrl(), "key", "sk-upstream-api", "models", "api-model")).data().path("id").asLong();
        gw.admin("PUT", "/api/option/", json("key", "AllowUnpricedModels", "value", "true"));
        String key = gw.admin("POST", "/api/token/", json("name", "api-key", "unlimited_quota", true)).data()
                .path("key").asString();
        upstream.usage(7, 3);
        for (int i = 0; i < 2; i++) {
            RunningGateway.Answer a = gw.call("POST", "/v1/chat/completions", json("model", "api-model",
                    "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
        }
        RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/log/?model_name=api-model", null),
                a -> a.data().path("total").asLong() == 2);
        assertThat(gw.admin("GET", "/api/log/?model_name=no-such-model", null).data().path("total").asLong()).isZero();

        var usage = gw.admin("GET", "/api/log/usage", null).data();
        var row = java.util.stream.StreamSupport.stream(usage.spliterator(), false)
                .filter(r -> r.path("model_name").asString().equals("api-model")).findFirst().orElseThrow();
        assertThat(row.path("requests").asLong()).isEqualTo(2);
        assertThat(row.path("prompt_tokens").asLong()).isEqualTo(14);
        assertThat(row.path("completion_tokens").asLong()).isEqualTo(6);
        assertThat(row.path("day").asLong() % 86_400).isZero();
        assertThat(row.path("cost_usd").isString()).isTrue();
        assertThat(gw.admin("GET", "/api/log/usage?start_timestamp=200&end_timestamp=100", null).status()).isEqualTo(400);

        var test = gw.admin("GET", "/api/channel/test/" + channel, null).json();
        assertThat(test.path("success").asBoolean()).isTrue();
        assertThat(test.path("status_code").asInt()).isEqualTo(200);
        assertThat(test.path("model").asString()).isEqualTo("api-model");
        upstream.failNext(1, 401);
        var failed = gw.admin("GET", "/api/channel/test/" + channel, null).json();
        assertThat(failed.path("success").asBoolean()).isFalse();
        assertThat(failed.path("message").asString()).contains("HTTP 401");
        assertThat(gw.admin("GET", "/api/channel/test/999999", null).status()).isEqualTo(404);
        assertThat(gw.call("GET", "/api/channel/test/" + channel, null, null).status()).as("admin only").isEqualTo(401);
    }

    @Test
    @Order(100) // last: it locks 127.0.0.1 out of the login for five minutes
    void failedLoginsAreThrottled() throws Exception {
        // The first test's wrong login counts too: at most MAX_FAILURES wrong answers, then refusals.
        int wrong = 0;
        HttpResponse<String> answer = post("/console/login", null, Map.of("token", "guess-0"));
        while (answer.statusCode() == 401) {
            assertThat(answer.headers().firstValue("Set-Cookie")).isEmpty();
            wrong++;
            assertThat(wrong).isLessThanOrEqualTo(ConsoleLogin.MAX_FAILURES);
            answer = post("/console/login", null, Map.of("token", "guess-" + wrong));
        }
        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(wrong).isGreaterThanOrEqualTo(ConsoleLogin.MAX_FAILURES - 1);
        HttpResponse<String> right = post("/console/login", null, Map.of("token", RunningGateway.ADMIN_TOKEN));
        assertThat(right.statusCode()).as("even the right token, once throttled").isEqualTo(429);
        assertThat(right.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(right.body()).contains("Too many failed logins");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    static boolean noHorizontalScroll(Browser b) {
        Object fits = ((JavascriptExecutor) b.driver()).executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth;");
        return Boolean.TRUE.equals(fits);
    }

    HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String cookie, Map<String, String> form) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static {
        try {
            Files.createDirectories(SHOTS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
