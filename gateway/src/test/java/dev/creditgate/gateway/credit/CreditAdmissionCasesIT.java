package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The seed's three unit cases (section 10) through {@code creditAdmission} in {@code check} mode, with a
 * controllable platform stub: sufficient (credit 1000) passes; insufficient (credit 0) is 403; the query fails and
 * the admission falls back to the owner's local quota and continues. Plus the other fallbacks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditAdmissionCasesIT {

    private PlatformStub platform;
    private MockUpstream mock;
    private RunningGateway gw;

    @BeforeAll
    void start() throws Exception {
        platform = new PlatformStub();
        mock = MockUpstream.start();
        // the breaker stays closed here (tested in CreditOutageIT), so that the cases do not depend on their order
        List<String> props = new java.util.ArrayList<>(List.of(CreditStack.FAST));
        props.add("gateway.credit.breaker-failures=100");
        gw = RunningGateway.start(TestDatabases.h2(), props.toArray(String[]::new));
        CreditStack.ok(gw.admin("POST", "/api/channel/", json("name", "mock", "type", "openai", "base_url",
                mock.baseUrl(), "key", "k", "models", CreditStack.FIXED_50)));
        option("ModelPrice", "{\"" + CreditStack.FIXED_50 + "\":0.5}");
        option("letaicode_domain", platform.url());
        option("letaicode_admin_token", "stub-token-0123456789-0123456789-abc");
        option("letaicode_credit_mode", "check");
        option("letaicode_timeout_ms", "500");
    }

    @AfterAll
    void stop() {
        gw.close();
        mock.close();
        platform.close();
    }

    @BeforeEach
    void localFallback() {
        option("letaicode_fallback", "local");
    }

    private void option(String key, String value) {
        CreditStack.ok(gw.admin("PUT", "/api/option/", json("key", key, "value", value)));
    }

    /** A letaicode token on a fresh platform key id, owned by a gateway user with {@code userQuota} (null: no user). */
    private String token(Long userQuota) {
        long userId = 0;
        if (userQuota != null) {
            userId = CreditStack.ok(gw.admin("POST", "/api/user/", json("username",
                    "u" + UUID.randomUUID().toString().substring(0, 10), "quota", userQuota, "group", "default")))
                    .data().path("id").asLong();
        }
        return CreditStack.ok(gw.admin("POST", "/api/token/", json("name", "lk", "user_id", userId,
                "source", "letaicode", "remote_key_id", "k-" + UUID.randomUUID(), "unlimited_quota", true,
                "remain_quota", -1))).data().path("key").asString();
    }

    private Answer call(String key) {
        return gw.call("POST", "/v1/chat/completions", json("model", CreditStack.FIXED_50,
                "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key);
    }

    @Test
    void sufficientCreditPasses() {
        platform.always(200, PlatformStub.balanceJson("1000"));
        long calls = mock.calls();
        Answer a = call(token(null));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(mock.calls()).isEqualTo(calls + 1);
        assertThat(platform.last().path()).startsWith("/api/credits/balance/k-");
    }

    @Test
    void insufficientCreditIs403AndTheUpstreamIsNotCalled() {
        platform.always(200, PlatformStub.balanceJson("0"));
        long calls = mock.calls();
        Answer a = call(token(null));
        assertThat(a.status()).as(a.body()).isEqualTo(403);
        assertThat(a.json().path("error").path("code").asString()).isEqualTo("insufficient_user_quota");
        assertThat(a.json().path("error").path("message").asString())
                .isEqualTo("user quota insufficient, remaining: 0 credits, need: 50 credits");
        assertThat(mock.calls()).isEqualTo(calls);
        // above zero but below the estimate: the second rule, same unit
        platform.always(200, PlatformStub.balanceJson("49.999999"));
        Answer b = call(token(null));
        assertThat(b.status()).isEqualTo(403);
        assertThat(b.body()).contains("remaining: 49.999999 credits, need: 50 credits");
        assertThat(mock.calls()).isEqualTo(calls);
    }

    @Test
    void failedQueryFallsBackToTheOwnersLocalQuota() {
        platform.always(500, "{\"success\":false,\"message\":\"boom\"}");
        long calls = mock.calls();
        Answer rich = call(token(1_000_000L)); // estimate 250,000 quota
        assertThat(rich.status()).as(rich.body()).isEqualTo(200);
        assertThat(mock.calls()).isEqualTo(calls + 1);
        Answer poor = call(token(1_000L));
        assertThat(poor.status()).as(poor.body()).isEqualTo(403);
        assertThat(poor.body()).contains("remaining: 1000 quota, need: 250000 quota");
        // user_id 0 (the real LetAiCode's tokens): no owner, no last known balance -> 503
        Answer orphan = call(token(null));
        assertThat(orphan.status()).as(orphan.body()).isEqualTo(503);
        assertThat(orphan.json().path("error").path("code").asString()).isEqualTo("credit_service_unavailable");
        assertThat(mock.calls()).isEqualTo(calls + 1);
    }

    @Test
    void denyIs503NamingTheFailure() {
        option("letaicode_fallback", "deny");
        platform.always(503, "{\"success\":false}");
        long calls = mock.calls();
        Answer a = call(token(1_000_000L));
        assertThat(a.status()).as(a.body()).isEqualTo(503);
        assertThat(a.json().path("error").path("code").asString()).isEqualTo("credit_service_unavailable");
        assertThat(a.json().path("error").path("message").asString()).contains("HTTP 503");
        assertThat(mock.calls()).isEqualTo(calls);
    }

    @Test
    void allowIsBoundedByTheAllowance() {
        option("letaicode_fallback", "allow");
        option("letaicode_fallback_allowance", "100"); // two calls of 50 credits
        platform.always(500, "{}");
        String key = token(null);
        assertThat(call(key).status()).isEqualTo(200);
        assertThat(call(key).status()).isEqualTo(200);
        Answer third = call(key);
        assertThat(third.status()).as(third.body()).isEqualTo(503);
        assertThat(third.body()).contains("allowance");
    }
}
