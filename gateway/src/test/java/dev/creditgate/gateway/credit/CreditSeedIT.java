package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;

import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The seed's integration test (section 10), exactly, in both modes, against the real credit platform and the real
 * gateway with the mock upstream: a key from the platform, 100 credits, a call estimated at 50 succeeds and is
 * deducted, a call estimated at 60 gets 403 and the upstream receives no call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditSeedIT {

    private CreditStack stack;

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1);
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"reserve", "check"})
    void seedIntegrationTest(String mode) {
        stack.option("letaicode_credit_mode", mode);
        // 1. a LetAiCode key (source = letaicode), created by the platform through the gateway's management API
        CreditsServer.Key key = stack.credits.userWithKey("100"); // 2. topped up with 100 credits
        JsonNode token = stack.gw().admin("GET", "/api/token/" + key.tokenId(), null).data();
        assertThat(token.path("source").asString()).isEqualTo("letaicode");
        assertThat(token.path("remote_key_id").asString()).isEqualTo(key.id());

        // 3. a call estimated at 50 credits
        Answer first = stack.chat(key, CreditStack.FIXED_50);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        // 4. the credit was deducted correctly, once
        stack.awaitBalance(key, "50");
        stack.awaitDrained();
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).hasSize(1);
        assertThat(charges.getFirst().amountMicros()).isEqualTo(-50_000_000L);
        assertThat(charges.getFirst().type()).isEqualTo(mode.equals("reserve") ? "CAPTURE" : "DEDUCT");
        String requestId = first.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(charges.getFirst().eventId()).isEqualTo("cg-" + requestId);
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");

        // 5. a call estimated at 60 credits
        long upstreamCalls = stack.mock.calls();
        Answer second = stack.chat(key, CreditStack.FIXED_60);
        // 6. 403, insufficient credit, named in one unit; the upstream was not called
        assertThat(second.status()).as(second.body()).isEqualTo(403);
        assertThat(second.json().path("error").path("code").asString()).isEqualTo("insufficient_user_quota");
        assertThat(second.json().path("error").path("message").asString())
                .contains("remaining: 50 credits").contains("need: 60 credits");
        assertThat(stack.mock.calls()).isEqualTo(upstreamCalls);

        // nothing else was charged, and the platform's ledger equals the gateway's log
        stack.awaitDrained();
        assertThat(stack.credits.balance(key.userId())).isEqualByComparingTo("50");
        List<JsonNode> logs = stack.consumeLogs(key.tokenId(), 1);
        assertThat(logs).hasSize(1);
        assertThat(CreditStack.credits(logs)).isEqualByComparingTo(
                BigDecimal.valueOf(-charges.stream().mapToLong(CreditsServer.Ledger::amountMicros).sum(), 6));
    }

    @Test
    void keyUnknownToThePlatformIs401() {
        stack.option("letaicode_credit_mode", "reserve");
        Answer token = CreditStack.ok(stack.gw().admin("POST", "/api/token/", json("name", "orphan",
                "source", "letaicode", "remote_key_id", "no-such-key", "unlimited_quota", true, "remain_quota", -1)));
        String key = token.data().path("key").asString();
        long calls = stack.mock.calls();
        Answer a = stack.gw().call("POST", "/v1/chat/completions", json("model", CreditStack.FIXED_1,
                "messages", List.of(java.util.Map.of("role", "user", "content", "hi"))), "Bearer " + key);
        assertThat(a.status()).as(a.body()).isEqualTo(401);
        assertThat(a.body()).contains("key unknown to the credit platform");
        assertThat(stack.mock.calls()).isEqualTo(calls);
    }

    @Test
    void unpricedModelIs400WithoutAskingThePlatform() {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        Answer a = stack.chat(key, CreditStack.RATIO); // no ModelRatio for it in this class
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.json().path("error").path("code").asString()).isEqualTo("model_price_error");
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
    }
}
