package dev.creditgate.credits.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.credits.TestDatabases;
import dev.creditgate.credits.apikey.StubGateway;
import dev.creditgate.testkit.browser.Browser;

/**
 * The credit platform's console in a real headless Chromium (issue 12 "Show it"): an operator logs in, creates a
 * user and a key, tops the user up with a reason and sees the ledger entry and balance; the key holder logs in at
 * /console/me and sees the balance drop and the chart after a hold is captured and a usage webhook is charged through
 * the API; a key holder cannot reach operator pages; logout. Plus CSRF, cookie, session and login-throttle checks
 * over plain HTTP. Screenshots go to docs/screenshots/credits-*.png at the repository root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CreditsConsoleIT {

    static final Path SHOTS = repositoryRoot().resolve("docs/screenshots");
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static StubGateway gateway;
    static CreditsApp app;

    @BeforeAll
    static void start() throws Exception {
        gateway = new StubGateway();
        app = CreditsApp.start(TestDatabases.h2(), null, Map.of(
                "credits.gateway.url", gateway.url(),
                "credits.gateway.admin-token", StubGateway.ADMIN));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void operatorTopsUpAndTheKeyHolderSeesTheBalanceDropAndTheChart() throws Exception {
        Browser.unavailable().ifPresent(reason -> System.out.println("CreditsConsoleIT skipped: " + reason));
        Assumptions.assumeTrue(Browser.unavailable().isEmpty(), () -> Browser.unavailable().orElse(""));
        String other = user("someone.else@example.test", "Someone Else");
        app.admin("POST", "/api/users/" + other + "/credits", "{\"amount\":\"7\",\"type\":\"BONUS\",\"desc\":\"other\"}");
        try (Browser b = Browser.start()) {
            // not logged in: the login page
            b.open(app.base + "/console").await(By.name("token"));
            assertThat(b.driver().getCurrentUrl()).endsWith("/console/login");
            b.screenshot(SHOTS.resolve("credits-login.png"));
            b.fill("token", "not-the-token").click(By.id("login")).awaitText("Not a valid admin token");

            // operator
            b.fill("token", CreditsApp.ADMIN).click(By.id("login")).await(By.id("users"));
            Cookie cookie = b.driver().manage().getCookieNamed(ConsoleAccess.COOKIE);
            assertThat(cookie).isNotNull();
            assertThat(cookie.isHttpOnly()).isTrue();
            assertThat(cookie.getSameSite()).isEqualTo("Strict");
            assertThat(cookie.getPath()).isEqualTo("/console");
            assertThat(cookie.getValue()).doesNotContain(CreditsApp.ADMIN);

            b.fill("email", "ada@example.test").fill("name", "Ada <b>Lovelace</b>").click(By.id("create-user"))
                    .awaitText("User created.");
            assertThat(b.await(By.tagName("h1")).getText()).isEqualTo("Ada <b>Lovelace</b>"); // escaped, not markup
            String userId = b.driver().getCurrentUrl().replaceAll(".*/console/users/([0-9a-f-]{36}).*", "$1");
            assertThat(text(b, "balance")).isEqualTo("0");

            // top-up with a reason: through the API's ledger code, visible there too
            new Select(b.await(By.name("type"))).selectByValue("RECHARGE");
            b.fill("amount", "25").fill("reason", "welcome credit").click(By.id("post-credit")).awaitText("Credit posted.");
            assertThat(text(b, "balance")).isEqualTo("25");
            assertThat(text(b, "available")).isEqualTo("25");
            String ledger = b.await(By.id("ledger")).getText();
            assertThat(ledger).contains("RECHARGE").contains("welcome credit").contains("25");
            JsonNode api = app.admin("GET", "/api/users/" + userId + "/transactions", null).json().get("data");
            assertThat(api.get("total").asLong()).isEqualTo(1);
            assertThat(api.get("items").get(0).get("desc").asString()).isEqualTo("welcome credit");
            assertThat(api.get("items").get(0).get("amount").decimalValue()).isEqualByComparingTo("25");

            // a refused adjustment changes nothing and says why
            new Select(b.await(By.name("type"))).selectByValue("ADMIN_ADJUST");
            b.fill("amount", "-100").fill("reason", "too much").click(By.id("post-credit"));
            assertThat(b.await(By.id("error")).getText()).contains("would take the available credit below 0");
            assertThat(text(b, "balance")).isEqualTo("25");

            // a key, shown once
            b.fill("label", "laptop").click(By.id("create-key"));
            String key = b.await(By.id("created-key")).getText();
            assertThat(key).startsWith("sk-").hasSize(51);
            assertThat(gateway.tokenCount()).isEqualTo(1);
            b.screenshot(SHOTS.resolve("credits-user-key-created.png"));
            b.open(app.base + "/console/users/" + userId).await(By.id("keys"));
            assertThat(b.driver().getPageSource()).doesNotContain(key.substring(3));
            assertThat(b.await(By.id("keys")).getText()).contains("laptop").contains("ACTIVE").contains("sk-" + key.substring(3, 7));
            b.screenshot(SHOTS.resolve("credits-user.png"));
            b.open(app.base + "/console?q=ada").await(By.id("users"));
            assertThat(b.text()).contains("ada@example.test").doesNotContain("someone.else@example.test");
            b.open(app.base + "/console").await(By.id("users"));
            b.screenshot(SHOTS.resolve("credits-users.png"));

            // logout: the cookie's session is gone
            b.click(By.id("logout")).await(By.name("token"));
            assertThat(get("/console", cookie.getValue()).statusCode()).isEqualTo(303);

            // the key holder
            b.fill("token", key).click(By.id("login")).await(By.id("usage-chart"));
            assertThat(b.driver().getCurrentUrl()).endsWith("/console/me");
            assertThat(text(b, "available")).isEqualTo("25");
            assertThat(b.text()).contains("laptop").doesNotContain(key.substring(3)).doesNotContain("someone.else");

            // a call: hold and capture (0.03 USD = 3 credits) and a usage webhook (0.02 USD = 2 credits), via the API
            JsonNode k = app.admin("GET", "/api/keys?userId=" + userId, null).json().get("data").get(0);
            String keyId = k.get("id").asString();
            JsonNode hold = app.service("POST", "/api/credits/holds", "{\"keyId\":\"" + keyId
                    + "\",\"requestId\":\"console-it-1\",\"amountUsd\":\"0.05\",\"model\":\"gpt-4o\"}").json();
            b.open(app.base + "/console/me").await(By.id("held"));
            assertThat(text(b, "held")).isEqualTo("5");
            assertThat(text(b, "available")).isEqualTo("20");
            assertThat(app.service("POST", "/api/credits/holds/" + hold.get("holdId").asString() + "/capture",
                    "{\"costUsd\":\"0.03\"}").status()).isEqualTo(200);
            assertThat(app.usageWebhook("console-it-webhook", System.currentTimeMillis(), k.get("remoteKeyId").asLong(),
                    keyId, "0.02").status()).isEqualTo(200);
            b.open(app.base + "/console/me").await(By.id("usage-chart"));
            assertThat(text(b, "available")).isEqualTo("20");
            assertThat(text(b, "held")).isEqualTo("0");
            assertThat(text(b, "usage-total")).isEqualTo("5");
            String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
            WebElement bar = b.await(By.cssSelector("#usage-chart g[data-day='" + today + "']"));
            assertThat(bar.getAttribute("data-credits")).isEqualTo("5");
            assertThat(Integer.parseInt(bar.findElement(By.tagName("rect")).getAttribute("height"))).isEqualTo(UsageChart.PLOT);
            assertThat(b.driver().findElements(By.cssSelector("#usage-chart g.day"))).hasSize(HolderController.CHART_DAYS);
            b.screenshot(SHOTS.resolve("credits-me.png"));
            b.size(Browser.PHONE).open(app.base + "/console/me").await(By.id("available"));
            b.screenshot(SHOTS.resolve("credits-me-phone.png"));
            b.size(Browser.LAPTOP);

            // a key holder cannot reach the operator's pages, nor another user's
            b.open(app.base + "/console").awaitText("Operators only");
            b.open(app.base + "/console/users/" + other).awaitText("Operators only");
            assertThat(b.text()).doesNotContain("someone.else");
            b.open(app.base + "/console/me").await(By.id("logout"));
            b.click(By.id("logout")).await(By.name("token"));
            b.open(app.base + "/console/me").await(By.name("token"));

            // a gateway instance's lease of the user's credit
            assertThat(app.service("POST", "/api/credits/leases", "{\"keyId\":\"" + keyId
                    + "\",\"owner\":\"gw-console-it\",\"amountUsd\":\"0.04\",\"ttlSeconds\":600}").status()).isEqualTo(201);

            // the operator sees the charge in the ledger, the hold, the lease, and the webhook delivery
            b.fill("token", CreditsApp.ADMIN).click(By.id("login")).await(By.id("users"));
            b.open(app.base + "/console/users/" + userId).await(By.id("ledger"));
            assertThat(b.await(By.id("ledger")).getText()).contains("CAPTURE").contains("DEDUCT").contains("-3").contains("-2");
            assertThat(text(b, "balance")).isEqualTo("20");
            assertThat(text(b, "held")).isEqualTo("4");
            assertThat(b.await(By.cssSelector("table.leases")).getText()).contains("gw-console-it");
            b.open(app.base + "/console/holds").await(By.cssSelector("table.holds"));
            assertThat(b.await(By.cssSelector("table.holds")).getText()).contains("gpt-4o").contains("CAPTURED").contains("5");
            assertThat(b.await(By.cssSelector("table.leases")).getText()).contains("gw-console-it").contains("ACTIVE");
            b.screenshot(SHOTS.resolve("credits-holds.png"));
            b.open(app.base + "/console/webhooks").await(By.id("webhooks"));
            assertThat(b.await(By.id("webhooks")).getText()).contains("console-it-webhook");
            b.screenshot(SHOTS.resolve("credits-webhooks.png"));
            b.size(Browser.PHONE).open(app.base + "/console/users/" + userId).await(By.id("balance"));
            b.screenshot(SHOTS.resolve("credits-user-phone.png"));
        }
        assertThat(SHOTS.resolve("credits-me.png")).exists();
    }

    @Test
    @Order(2)
    void formsWithoutTheSessionsCsrfTokenAreRefusedAndChangeNothing() throws Exception {
        String userId = user("csrf@example.test", "Csrf");
        HttpResponse<String> login = post("/console/login", null, Map.of("token", CreditsApp.ADMIN));
        assertThat(login.statusCode()).isEqualTo(302);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(ConsoleAccess.COOKIE + "=").contains("; Path=/console").contains("; HttpOnly")
                .contains("; SameSite=Strict").doesNotContain("Secure");
        String session = setCookie.substring(ConsoleAccess.COOKIE.length() + 1, setCookie.indexOf(';'));
        HttpResponse<String> page = get("/console/users/" + userId, session);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).isTrue();
        String csrf = m.group(1);
        Map<String, String> topUp = new LinkedHashMap<>(Map.of("type", "RECHARGE", "amount", "10", "reason", "forged"));

        assertThat(post("/console/users/" + userId + "/credits", session, topUp).statusCode()).isEqualTo(403);
        topUp.put("_csrf", csrf.substring(1) + "x");
        assertThat(post("/console/users/" + userId + "/credits", session, topUp).statusCode()).isEqualTo(403);
        topUp.put("_csrf", csrf);
        assertThat(post("/console/users/" + userId + "/credits", null, topUp).statusCode()).isEqualTo(403); // no session
        assertThat(balance(userId)).isEqualTo("0");
        assertThat(app.admin("GET", "/api/users/" + userId + "/transactions", null).json().get("data").get("total").asLong())
                .isZero();
        HttpResponse<String> ok = post("/console/users/" + userId + "/credits", session, topUp);
        assertThat(ok.statusCode()).isEqualTo(302);
        assertThat(balance(userId)).isEqualTo("10");

        // bad input: the page says why, nothing is posted
        topUp.put("amount", "1e3");
        HttpResponse<String> bad = post("/console/users/" + userId + "/credits", session, topUp);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("amount: expected a decimal number");
        topUp.put("amount", "0.0000001");
        assertThat(post("/console/users/" + userId + "/credits", session, topUp).statusCode()).isEqualTo(400);
        assertThat(balance(userId)).isEqualTo("10");

        // logout needs the token too; afterwards the old cookie is worthless
        assertThat(post("/console/logout", session, Map.of()).statusCode()).isEqualTo(403);
        HttpResponse<String> out = post("/console/logout", session, Map.of("_csrf", csrf));
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(get("/console/users/" + userId, session).statusCode()).isEqualTo(303);
        assertThat(post("/console/users/" + userId + "/credits", session, topUp).statusCode()).isEqualTo(403);
        assertThat(balance(userId)).isEqualTo("10");
    }

    @Test
    @Order(3)
    void aKeyHoldersSessionEndsWhenTheKeyIsDisabledAndTheApiStillNeedsItsToken() throws Exception {
        String userId = user("holder@example.test", "Holder");
        JsonNode created = app.admin("POST", "/api/keys", "{\"userId\":\"" + userId + "\",\"label\":\"k\"}").json().get("data");
        HttpResponse<String> login = post("/console/login", null, Map.of("token", created.get("key").asString()));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/console/me");
        String session = cookie(login);
        assertThat(get("/console/me", session).statusCode()).isEqualTo(200);
        assertThat(get("/console", session).statusCode()).isEqualTo(403);
        assertThat(get("/console/webhooks", session).statusCode()).isEqualTo(403);
        // the console's cookie is no credential for the API, and the API's paths are not reachable through /console
        assertThat(get("/api/users/" + userId, session).statusCode()).isEqualTo(401);
        // Tomcat dispatches these to /api/users/..: AuthFilter judges the decoded path, not the raw URI's open prefix
        for (String open : new String[] {"/console/%2e%2e", "/actuator/%2e%2e", "/api/webhooks/%2e%2e/%2e%2e"}) {
            assertThat(get(open + "/api/users/" + userId, session).statusCode()).as(open).isEqualTo(401);
        }

        assertThat(app.admin("PATCH", "/api/keys/" + created.get("id").asString(), "{\"status\":\"DISABLED\"}").status())
                .isEqualTo(200);
        HttpResponse<String> after = get("/console/me", session);
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(after.headers().firstValue("Location").orElseThrow()).contains("/console/login");
        assertThat(post("/console/login", null, Map.of("token", created.get("key").asString())).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void oneTimeLinksLogInOnceAndFailedLoginsAreThrottled() throws Exception {
        // a login form posted from another site is refused, even with the right token
        HttpResponse<String> crossSite = HTTP.send(HttpRequest.newBuilder(URI.create(app.base + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + CreditsApp.ADMIN)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.headers().firstValue("Set-Cookie")).isEmpty();
        // a successful login forgets the address's earlier failures (test 3 ended with one)
        assertThat(post("/console/login", null, Map.of("token", CreditsApp.ADMIN)).statusCode()).isEqualTo(302);
        String code = app.context.getBean(ConsoleAccess.class).operatorLoginCode(Duration.ofMinutes(1));
        HttpResponse<String> first = get("/console/login?code=" + code, null);
        assertThat(first.statusCode()).isEqualTo(302);
        assertThat(get("/console", cookie(first)).statusCode()).isEqualTo(200);
        assertThat(get("/console/login?code=" + code, null).statusCode()).isEqualTo(401);

        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(post("/console/login", null, Map.of("token", "guess-" + i)).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = post("/console/login", null, Map.of("token", CreditsApp.ADMIN));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Set-Cookie")).isEmpty();
    }

    private static String user(String email, String name) {
        CreditsApp.Answer a = app.admin("POST", "/api/users", "{\"email\":\"" + email + "\",\"name\":\"" + name + "\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        return a.json().get("data").get("id").asString();
    }

    private static String balance(String userId) {
        return app.admin("GET", "/api/users/" + userId, null).json().get("data").get("balance").asString();
    }

    private static String text(Browser b, String id) {
        return b.await(By.id(id)).getText();
    }

    private static String cookie(HttpResponse<String> login) {
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(ConsoleAccess.COOKIE.length() + 1, setCookie.indexOf(';'));
    }

    private static HttpResponse<String> get(String path, String session) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(app.base + path)).GET();
        if (session != null) {
            r.header("Cookie", ConsoleAccess.COOKIE + "=" + session);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String session, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(app.base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            r.header("Cookie", ConsoleAccess.COOKIE + "=" + session);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("").toAbsolutePath() : p;
    }
}
