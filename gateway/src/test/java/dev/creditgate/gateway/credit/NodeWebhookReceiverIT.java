package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's usage webhooks (check mode) against a receiver written to LetAiCode's rules in node: it verifies
 * {@code hex(HMAC-SHA256(secret, JSON.stringify(JSON.parse(body))))}, so the body must survive JavaScript's
 * re-serialisation byte for byte, costs with many decimals included. Skipped with a reason when node is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeWebhookReceiverIT {

    private static final String SECRET = "node-receiver-secret-0123456789-abcdefghij";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Process node;
    private String receiverUrl;
    private PlatformStub platform;
    private MockUpstream mock;
    private RunningGateway gw;

    @BeforeAll
    void start() throws Exception {
        Path script = Files.createTempFile("webhook-receiver", ".js");
        try (InputStream in = getClass().getResourceAsStream("/credit/webhook-receiver.js")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            node = new ProcessBuilder("node", script.toString(), SECRET).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.assumeTrue(false, "node is not available on this machine: " + e.getMessage());
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("node receiver output").startsWith("PORT ");
        receiverUrl = "http://127.0.0.1:" + line.substring(5).trim();

        platform = new PlatformStub().always(200, PlatformStub.balanceJson("1000"));
        mock = MockUpstream.start();
        gw = RunningGateway.start(TestDatabases.h2(), CreditStack.FAST);
        CreditStack.ok(gw.admin("POST", "/api/channel/", json("name", "mock", "type", "openai", "base_url",
                mock.baseUrl(), "key", "k", "models", "ratio-model")));
        for (String[] kv : new String[][] {
                {"ModelRatio", "{\"ratio-model\":3.7}"},
                {"letaicode_domain", platform.url()},
                {"letaicode_admin_token", "stub-token-0123456789-0123456789-abc"},
                {"letaicode_credit_mode", "check"},
                {"letaicode_webhook_url", receiverUrl + "/api/webhooks/usage"},
                {"letaicode_webhook_secret", SECRET}}) {
            CreditStack.ok(gw.admin("PUT", "/api/option/", json("key", kv[0], "value", kv[1])));
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
            mock.close();
            platform.close();
        }
        if (node != null) {
            node.destroy();
            node.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void nodeReceiverAcceptsTheGatewaysWebhooks() throws Exception {
        String remoteKeyId = "key-" + UUID.randomUUID();
        Answer token = CreditStack.ok(gw.admin("POST", "/api/token/", json("name", "lk", "source", "letaicode",
                "remote_key_id", remoteKeyId, "unlimited_quota", true, "remain_quota", -1)));
        String key = token.data().path("key").asString();
        long tokenId = token.data().path("id").asLong();
        // usages that give costs with many decimals: (p + c) x 3.7 quota, / 500,000 USD
        long[][] usages = {{1234, 567}, {1, 0}, {7, 3}, {99_999, 12_345}};
        for (long[] u : usages) {
            mock.usage(u[0], u[1]);
            Answer a = gw.call("POST", "/v1/chat/completions", json("model", "ratio-model",
                    "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
        }
        JsonNode received = CreditStack.poll(Duration.ofSeconds(20), this::received, r -> r.size() >= usages.length);
        assertThat(received).hasSize(usages.length);
        List<String> costs = new ArrayList<>();
        received.forEach(r -> {
            assertThat(r.path("ok").asBoolean()).as("signature verified by node: " + r).isTrue();
            assertThat(r.path("identical").asBoolean()).as("JSON.stringify(JSON.parse(body)) == body: " + r).isTrue();
            assertThat(r.path("remoteKeyId").asLong()).isEqualTo(tokenId);
            assertThat(r.path("keyId").asString()).isEqualTo(remoteKeyId);
            costs.add(r.path("cost").asString());
        });
        // the costs are the exact USD (not rounded to quota units), as JavaScript prints them
        List<String> expected = new ArrayList<>();
        for (long[] u : usages) {
            expected.add(dev.creditgate.contract.JsNumbers.format(new BigDecimal(u[0] + u[1])
                    .multiply(new BigDecimal("3.7")).divide(BigDecimal.valueOf(500_000))));
        }
        assertThat(costs).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(costs).contains("0.0000074"); // (1 + 0) x 3.7 = 3.7 quota: 7.4e-6 USD, not 4 quota's 8e-6
        RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/usage_event/?status=delivered", null),
                a -> a.data().path("total").asLong() == usages.length);
    }

    private JsonNode received() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(receiverUrl + "/received")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return RunningGateway.JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
