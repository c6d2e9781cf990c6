package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.CrossFormatCalls;
import dev.creditgate.gateway.support.SdkCalls;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Cross-format relay with {@code letaicode} tokens against the real credit platform ({@code reserve} mode, per-request
 * holds, 100 credits per USD), on H2: each call charged in exact credits from the upstream's own usage, the ledger
 * entry keyed by the request id. Prices as in {@code CrossFormatRelayIT}: {@value #GPT} through an {@code openai}
 * channel 6124 quota = 0.012248 USD = 1.2248 credits; {@value #CLAUDE} through an {@code anthropic} channel 2374 quota
 * = 0.004748 USD = 0.4748 credits; a tool round trip 2 x (50 + 7 x 4) = 2 x 0.0156 credits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossFormatCreditChargesIT {

    static final String GPT = "gpt-cross";
    static final String CLAUDE = "claude-cross";

    private CreditStack stack;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1);
        stack.option("letaicode_fallback", "deny");
        stack.option("letaicode_timeout_ms", "15000");
        stack.option(PricingConfig.MODEL_RATIO,
                SdkCalls.defaultsWith(PricingConfig.MODEL_RATIO, Map.of(GPT, "1", CLAUDE, "1")));
        stack.option(PricingConfig.COMPLETION_RATIO,
                SdkCalls.defaultsWith(PricingConfig.COMPLETION_RATIO, Map.of(GPT, "4", CLAUDE, "4")));
        stack.option(PricingConfig.CACHE_RATIO, "{\"" + GPT + "\":0.5,\"" + CLAUDE + "\":0.1}");
        CreditStack.ok(stack.gw().admin("POST", "/api/channel/", json("name", "openai", "type", "openai",
                "base_url", stack.mock.baseUrl(), "key", "sk-upstream", "models", GPT)));
        CreditStack.ok(stack.gw().admin("POST", "/api/channel/", json("name", "claude", "type", "anthropic",
                "base_url", stack.mock.baseUrl(), "key", "sk-ant-upstream", "models", CLAUDE)));
        stack.gw().context().getBean(dev.creditgate.gateway.channel.ChannelSelector.class).refresh();
    }

    @BeforeEach
    void reset() {
        stack.mock.reset();
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off");
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        clients.clear();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    AnthropicClient anthropic(CreditsServer.Key key) {
        AnthropicClient c = SdkCalls.anthropic(stack.gw().baseUrl(), key.key());
        clients.add(c::close);
        return c;
    }

    OpenAIClient openai(CreditsServer.Key key) {
        OpenAIClient c = SdkCalls.openai(stack.gw().baseUrl(), key.key());
        clients.add(c::close);
        return c;
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void anthropicClientOnAnOpenAiChannelIsChargedInExactCredits(boolean stream) {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(11_100, 6).cacheTokens(10_000, 0, 0);

        Message m = CrossFormatCalls.messages(anthropic(key), GPT, stream, false);

        assertThat(m.usage().inputTokens()).isEqualTo(1_100);
        assertThat(m.usage().cacheReadInputTokens()).contains(10_000L);
        assertThat(stack.mock.lastRequest().path()).isEqualTo("/v1/chat/completions");
        JsonNode row = charged(key, 1, -1_224_800).getFirst();
        assertThat(row.path("quota").asLong()).isEqualTo(6124);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.012248");
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void openAiClientOnAnAnthropicChannelIsChargedInExactCreditsWithCacheWrites(boolean stream) {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(11_100, 6).cacheTokens(10_000, 1_000, 0);

        ChatCompletion c = CrossFormatCalls.chat(openai(key), CLAUDE, stream, false);

        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(11_100);
        assertThat(stack.mock.lastRequest().path()).isEqualTo("/v1/messages");
        JsonNode row = charged(key, 1, -474_800).getFirst();
        assertThat(row.path("quota").asLong()).isEqualTo(2374);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.004748");
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void toolRoundTripsAreChargedPerCallInBothDirections(boolean stream) {
        stack.mock.usage(50, 7).toolCall(CrossFormatCalls.TOOL, CrossFormatCalls.ARGUMENTS);
        CreditsServer.Key a = stack.credits.userWithKey("10");
        assertThat(CrossFormatCalls.messagesToolRoundTrip(anthropic(a), GPT, stream)).hasSize(2);
        charged(a, 2, -15_600);
        CreditsServer.Key o = stack.credits.userWithKey("10");
        assertThat(CrossFormatCalls.chatToolRoundTrip(openai(o), CLAUDE, stream)).hasSize(2);
        charged(o, 2, -15_600);
    }

    /** The key's {@code n} log rows once the outbox drained: one ledger charge of {@code micros} per row. */
    private List<JsonNode> charged(CreditsServer.Key key, int n, long micros) {
        List<JsonNode> rows = stack.consumeLogs(key.tokenId(), n);
        stack.awaitDrained();
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).hasSize(n).allSatisfy(c -> assertThat(c.amountMicros()).isEqualTo(micros));
        assertThat(charges).extracting(CreditsServer.Ledger::eventId).containsExactlyInAnyOrderElementsOf(
                rows.stream().map(r -> "cg-" + r.path("request_id").asString()).toList());
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
        return rows;
    }
}
