package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.genai.Client;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.GeminiSdk;
import dev.creditgate.gateway.support.GeminiSdk.Seen;
import dev.creditgate.gateway.support.SdkCalls;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The Gemini route for {@code letaicode} keys: the Google Gen AI SDK through the gateway to a {@code gemini} channel,
 * charged in exact credits by the real credit platform (gateway and platform on H2, {@code reserve} mode).
 *
 * <p>{@value #MODEL}: model ratio 1, completion ratio 4, CacheRatio 0.5; 11,100 prompt tokens of which 10,000 cached,
 * 6 candidates + 20 thoughts tokens = 26 output: 1,100 + 5,000 + 104 = 6,204 quota = 0.012408 USD = 1.2408 credits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeminiCreditChargesIT {

    static final String MODEL = "gemini-credit";

    private CreditStack stack;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.h2(), TestDatabases.h2(), 1);
        stack.option("letaicode_fallback", "deny");
        stack.option("letaicode_timeout_ms", "15000");
        stack.option(PricingConfig.MODEL_RATIO, SdkCalls.defaultsWith(PricingConfig.MODEL_RATIO, Map.of(MODEL, "1")));
        stack.option(PricingConfig.COMPLETION_RATIO,
                SdkCalls.defaultsWith(PricingConfig.COMPLETION_RATIO, Map.of(MODEL, "4")));
        stack.option(PricingConfig.CACHE_RATIO, "{\"" + MODEL + "\":0.5}");
        CreditStack.ok(stack.gw().admin("POST", "/api/channel/", json("name", "gemini", "type", "gemini",
                "base_url", stack.mock.baseUrl(), "key", "upstream-goog-key", "models", MODEL)));
        stack.gw().context().getBean(ChannelSelector.class).refresh();
    }

    @BeforeEach
    void reset() {
        stack.mock.reset();
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off");
        stack.option("letaicode_output_cap", "clamp");
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

    Client sdk(CreditsServer.Key key) {
        Client c = GeminiSdk.client(stack.gw().baseUrl(), key.key());
        clients.add(c);
        return c;
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {false, true})
    void cachedAndThoughtsTokensAreChargedInExactCredits(boolean stream) {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(11_100, 6).cacheTokens(10_000, 0, 0).thoughtsTokens(20);

        Seen seen = GeminiSdk.generate(sdk(key), MODEL, stream);

        assertThat(seen).isEqualTo(new Seen(MockUpstream.DEFAULT_TEXT, 11_100, 10_000, 6, 20));
        JsonNode row = charged(key, -1_240_800);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(26);
        assertThat(row.path("quota").asLong()).isEqualTo(6_204);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.012408");
        assertThat(stack.credits.user(key.userId()).path("balance").decimalValue())
                .isEqualByComparingTo("8.7592");
    }

    @Test
    void clampPutsTheAffordableOutputIntoMaxOutputTokens() {
        // 0.5 credits = 0.005 USD = 2,500 quota: about 620 output tokens, not the default output limit
        CreditsServer.Key key = stack.credits.userWithKey("0.5");
        stack.mock.answerAtOutputLimit(true).usage(10, -1);

        Seen seen = GeminiSdk.generate(sdk(key), MODEL, false);

        long limit = stack.mock.lastRequest().json().path("generationConfig").path("maxOutputTokens").asLong();
        assertThat(limit).as("the clamped limit went upstream in generationConfig").isBetween(256L, 625L);
        assertThat(seen.candidates()).isEqualTo(limit);
        long quota = 10 + limit * 4;
        JsonNode row = charged(key, -quota * 100 * 1_000_000 / 500_000);
        assertThat(row.path("quota").asLong()).isEqualTo(quota);
        assertThat(stack.credits.user(key.userId()).path("balance").decimalValue().signum())
                .as("never below zero").isGreaterThanOrEqualTo(0);
    }

    /** Waits for the request's charge at the platform: the user's only usage charge, of exactly {@code micros}. */
    private JsonNode charged(CreditsServer.Key key, long micros) {
        JsonNode row = stack.consumeLogs(key.tokenId(), 1).getFirst();
        stack.awaitDrained();
        List<CreditsServer.Ledger> charges = stack.credits.charges(key.userId());
        assertThat(charges).singleElement().satisfies(c -> {
            assertThat(c.amountMicros()).isEqualTo(micros);
            assertThat(c.eventId()).isEqualTo("cg-" + row.path("request_id").asString());
        });
        assertThat(stack.credits.user(key.userId()).path("held").decimalValue()).isEqualByComparingTo("0");
        return row;
    }
}
