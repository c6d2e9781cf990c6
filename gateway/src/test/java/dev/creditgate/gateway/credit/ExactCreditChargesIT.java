package dev.creditgate.gateway.credit;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.openai.client.OpenAIClient;
import com.openai.errors.PermissionDeniedException;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.LeavingClient;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.SdkCalls;
import dev.creditgate.gateway.support.SdkCalls.SeenUsage;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Exact charges of {@code letaicode} tokens (SPEC 2: exact USD, never through integer quota), through the official
 * SDKs, stream and non-stream, against the real credit platform (its ledger in micro-credits, 100 credits per USD),
 * gateway and platform on PostgreSQL, {@code reserve} mode (holds, captured by the outbox) unless said otherwise.
 *
 * <ul>
 *   <li>Anthropic {@code claude-sonnet-4-5-20250929} with 10,000 cache reads and 1,000 writes: 3570 quota = 0.00714 USD =
 *       0.714 credits; the write with the 1-hour lifetime: 4695 quota = 0.00939 USD = 0.939 credits;</li>
 *   <li>OpenAI chat and Responses with 10,000 of 11,100 prompt tokens cached at CacheRatio 0.5: 6124 quota = 0.012248
 *       USD = 1.2248 credits;</li>
 *   <li>{@code ModelPrice} 0.000123 USD: 0.0123 credits (not 62 quota = 0.0124); 8e-8 USD: the capture and the webhook
 *       carry 8e-8 exactly, the platform books 0.000008 credits;</li>
 *   <li>an upstream that ignores the output limit: the capture above the hold is charged in full (debt at the
 *       platform, new holds refused) and counted in {@code creditgate.credit.overage}.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactCreditChargesIT {

    static final String CLAUDE = "claude-sonnet-4-5-20250929";
    static final String CACHED = "cached-model";
    static final String TINY = "tiny-price";
    static final String TINIER = "tinier-price";

    private CreditStack stack;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        stack = CreditStack.start(TestDatabases.postgres(), TestDatabases.postgres(), 1);
        stack.option("letaicode_fallback", "deny");
        stack.option("letaicode_timeout_ms", "15000");
        stack.option(PricingConfig.MODEL_RATIO,
                SdkCalls.defaultsWith(PricingConfig.MODEL_RATIO, Map.of(CACHED, "1")));
        stack.option(PricingConfig.COMPLETION_RATIO,
                SdkCalls.defaultsWith(PricingConfig.COMPLETION_RATIO, Map.of(CACHED, "4")));
        stack.option(PricingConfig.MODEL_PRICE, SdkCalls.defaultsWith(PricingConfig.MODEL_PRICE,
                Map.of(TINY, "0.000123", TINIER, "0.00000008")));
        RunningGateway gw = stack.gw();
        CreditStack.ok(gw.admin("POST", "/api/channel/", json("name", "claude", "type", "anthropic",
                "base_url", stack.mock.baseUrl(), "key", "sk-ant-upstream", "models", CLAUDE)));
        CreditStack.ok(gw.admin("POST", "/api/channel/", json("name", "exact", "type", "openai",
                "base_url", stack.mock.baseUrl(), "key", "sk-upstream", "models",
                String.join(",", CACHED, TINY, TINIER))));
        gw.context().getBean(ChannelSelector.class).refresh();
    }

    @BeforeEach
    void reset() {
        stack.mock.reset();
        stack.option("letaicode_credit_mode", "reserve");
        stack.option("letaicode_lease", "off"); // captures of per-request holds; tinyPricesThroughALease: leases
        stack.option("letaicode_output_cap", "clamp");
        stack.option(PricingConfig.CACHE_RATIO, SdkCalls.defaults(PricingConfig.CACHE_RATIO));
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

    // ---- a) Anthropic cache reads and writes --------------------------------------------------------------

    @ParameterizedTest(name = "stream {0}, 1-hour cache write {1}")
    @CsvSource({"false, false, 3570, 0.00714, -714000", "true, false, 3570, 0.00714, -714000",
            "false, true, 4695, 0.00939, -939000", "true, true, 4695, 0.00939, -939000"})
    void anthropicCacheTokensAreChargedInExactCredits(boolean stream, boolean oneHour, long quota, String usd,
                                                    long micros) {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(11_100, 6).cacheTokens(10_000, oneHour ? 0 : 1_000, oneHour ? 1_000 : 0);

        SeenUsage seen = SdkCalls.messages(anthropic(key), CLAUDE, 1024, stream);

        assertThat(seen).isEqualTo(new SeenUsage(100, 10_000, 6));
        JsonNode row = charged(key, micros);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(row.path("quota").asLong()).isEqualTo(quota);
        assertThat(row.path("cost_usd").asString()).isEqualTo(usd);
        JsonNode other = other(row);
        assertThat(other.path("cache_tokens").asLong()).isEqualTo(10_000);
        assertThat(other.path("cache_ratio").decimalValue()).isEqualByComparingTo("0.1");
        assertThat(other.path("cache_creation_tokens").asLong()).isEqualTo(1_000);
        assertThat(other.path("cache_creation_tokens_1h").asLong()).isEqualTo(oneHour ? 1_000 : 0);
        assertThat(other.path("cache_creation_ratio_1h").decimalValue()).isEqualByComparingTo("2");
        assertThat(other.path("output_limit").asLong()).as("clamp: the limit is always sent").isEqualTo(1024);
        JsonNode event = usageEvent(row);
        assertThat(event.path("kind").asString()).isEqualTo("CAPTURE");
        assertThat(new BigDecimal(event.path("cost_usd").asString())).isEqualByComparingTo(usd);
        assertThat(event.path("prompt_tokens").asLong()).isEqualTo(11_100);
    }

    // ---- b) OpenAI cached prompt tokens -------------------------------------------------------------------

    @ParameterizedTest(name = "{0}, stream {1}")
    @CsvSource({"chat, false", "chat, true", "responses, false", "responses, true"})
    void openAiCachedTokensAreChargedInExactCredits(String api, boolean stream) {
        stack.option(PricingConfig.CACHE_RATIO, "{\"" + CACHED + "\":0.5}");
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(11_100, 6).cacheTokens(10_000, 0, 0);

        SeenUsage seen = api.equals("chat") ? SdkCalls.chat(openai(key), CACHED, null, stream)
                : SdkCalls.responses(openai(key), CACHED, null, stream);

        assertThat(seen).isEqualTo(new SeenUsage(11_100, 10_000, 6));
        JsonNode row = charged(key, -1_224_800);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(11_100);
        assertThat(row.path("quota").asLong()).isEqualTo(6124);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.012248");
        assertThat(other(row).path("cache_tokens").asLong()).isEqualTo(10_000);
        assertThat(other(row).path("cache_ratio").decimalValue()).isEqualByComparingTo("0.5");
    }

    // ---- c) prices below one quota unit ---------------------------------------------------------------------

    @ParameterizedTest(name = "ModelPrice {1} USD, stream {2}")
    @CsvSource({TINY + ", 0.000123, false, -12300", TINY + ", 0.000123, true, -12300",
            TINIER + ", 0.00000008, false, -8", TINIER + ", 0.00000008, true, -8"})
    void tinyPricesAreChargedExactlyNotInQuotaUnits(String model, String usd, boolean stream, long micros) {
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(40, 6);

        SdkCalls.chat(openai(key), model, null, stream);

        JsonNode row = charged(key, micros); // 0.0123 credits; 0.000008 credits
        assertThat(row.path("cost_usd").asString()).isEqualTo(usd);
        JsonNode event = usageEvent(row);
        assertThat(event.path("kind").asString()).isEqualTo("CAPTURE");
        assertThat(new BigDecimal(event.path("cost_usd").asString())).as("the capture's costUsd")
                .isEqualByComparingTo(usd);
        long captured = stack.credits.jdbc().sql("SELECT captured_amount FROM holds WHERE event_id = :e")
                .param("e", event.path("event_id").asString()).query(Long.class).single();
        assertThat(captured).isEqualTo(-micros);
    }

    @ParameterizedTest(name = "ModelPrice {1} USD")
    @CsvSource({TINY + ", 0.000123, -12300", TINIER + ", 0.00000008, -8"})
    void tinyPricesAreChargedExactlyThroughALease(String model, String usd, long micros) {
        stack.option("letaicode_lease", "on");
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(40, 6);

        SdkCalls.chat(openai(key), model, null, false);

        JsonNode row = stack.consumeLogs(key.tokenId(), 1).getFirst();
        stack.awaitDrained();
        assertThat(row.path("cost_usd").asString()).isEqualTo(usd);
        assertThat(usageEvent(row).path("kind").asString()).isEqualTo("LEASE");
        assertThat(stack.credits.charges(key.userId())).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo("LEASE_CHARGE");
            assertThat(c.amountMicros()).isEqualTo(micros);
            assertThat(c.eventId()).isEqualTo("cg-" + row.path("request_id").asString());
        });
        // the lease still holds the rest of what it took; the balance already shows the exact charge
        assertThat(stack.credits.balance(key.userId())).isEqualByComparingTo(
                new BigDecimal("10").add(BigDecimal.valueOf(micros, 6)));
    }

    @Test
    void aWebhookCarriesTheCostOf8em8UsdExactly() {
        stack.option("letaicode_credit_mode", "check");
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(40, 6);

        SdkCalls.chat(openai(key), TINIER, null, false);

        JsonNode row = charged(key, -8);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.00000008");
        JsonNode event = usageEvent(row);
        assertThat(event.path("kind").asString()).isEqualTo("WEBHOOK");
        assertThat(new BigDecimal(event.path("cost_usd").asString())).isEqualByComparingTo("0.00000008");
        List<String> bodies = stack.credits.jdbc().sql("SELECT body FROM webhook_log WHERE event_id = :e")
                .param("e", event.path("event_id").asString()).query(String.class).list();
        assertThat(bodies).hasSize(1);
        assertThat(bodies.getFirst()).contains("\"cost\":8e-8}");
        assertThat(stack.credits.charges(key.userId())).singleElement()
                .satisfies(c -> assertThat(c.type()).isEqualTo("DEDUCT"));
    }

    // ---- e) the client goes away ----------------------------------------------------------------------------

    @Test
    void aWholeAnswerWhoseClientLeftBeforeItWasWrittenIsCaptured() throws Exception {
        stack.option(PricingConfig.CACHE_RATIO, "{\"" + CACHED + "\":0.5}");
        CreditsServer.Key key = stack.credits.userWithKey("10");
        stack.mock.usage(11_100, 6).cacheTokens(10_000, 0, 0)
                .faultNext(1, Fault.NONE.withDelay(Duration.ofSeconds(1)));

        LeavingClient.postThenLeave(stack.gw().baseUrl(), "/v1/chat/completions", key.bearer(),
                json("model", CACHED, "messages", List.of(Map.of("role", "user", "content", "hi"))),
                () -> stack.mock.awaitCalls(1, Duration.ofSeconds(10)));

        JsonNode row = charged(key, -1_224_800);
        assertThat(row.path("content").asString()).contains("client disconnected");
        assertThat(row.path("quota").asLong()).isEqualTo(6124);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.012248");
    }

    // ---- g) an upstream that ignores the limit --------------------------------------------------------------

    @Test
    void aCaptureAboveItsHoldIsChargedInFullAsDebtAndCounted() {
        // held: (500 + 1000 x 4) = 4500 quota = 0.9 credits; captured: 500 + 1500 x 4 = 6500 quota = 1.3 credits
        CreditsServer.Key key = stack.credits.userWithKey("1");
        stack.mock.exceedOutputLimit(500).usage(500, 1);
        double overageBefore = overage();

        SeenUsage seen = SdkCalls.chat(openai(key), CACHED, 1000L, false);

        assertThat(seen).isEqualTo(new SeenUsage(500, 0, 1500));
        assertThat(stack.mock.lastRequest().json().path("max_completion_tokens").asLong()).isEqualTo(1000);
        JsonNode row = charged(key, -1_300_000);
        assertThat(row.path("quota").asLong()).isEqualTo(6500);
        assertThat(row.path("cost_usd").asString()).isEqualTo("0.013");
        JsonNode user = stack.credits.user(key.userId());
        assertThat(user.path("balance").decimalValue()).isEqualByComparingTo("-0.3");
        assertThat(user.path("debt").decimalValue()).isEqualByComparingTo("0.3");
        assertThat(user.path("available").decimalValue()).isEqualByComparingTo("-0.3");
        assertThat(user.path("held").decimalValue()).isEqualByComparingTo("0");
        assertThat(overage() - overageBefore).as("quota charged above the hold").isEqualTo(2000.0);

        long calls = stack.mock.calls();
        assertThatThrownBy(() -> SdkCalls.chat(openai(key), CACHED, 1000L, false))
                .isInstanceOfSatisfying(PermissionDeniedException.class,
                        e -> assertThat(e.code()).contains("insufficient_user_quota"));
        assertThat(stack.mock.calls()).as("debt blocks new holds").isEqualTo(calls);
    }

    /**
     * Waits for the request's charge at the platform, then checks it is the user's only usage charge, of exactly
     * {@code micros} (signed), booked for the request's event; returns the request's log row.
     */
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

    /** The outbox row of a request ({@code GET /api/usage_event/}). */
    private JsonNode usageEvent(JsonNode row) {
        String eventId = "cg-" + row.path("request_id").asString();
        JsonNode items = CreditStack.ok(stack.gw().admin("GET", "/api/usage_event/?status=delivered&page_size=100",
                null)).data().path("items");
        for (JsonNode e : items) {
            if (e.path("event_id").asString().equals(eventId)) {
                return e;
            }
        }
        throw new AssertionError("no delivered usage event " + eventId + " in " + items);
    }

    /** {@code creditgate.credit.overage} as {@code /actuator/prometheus} shows it. */
    private double overage() {
        String body = stack.gw().call("GET", "/actuator/prometheus", null, null).body();
        for (String line : body.split("\n")) {
            if (line.startsWith("creditgate_credit_overage")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no creditgate_credit_overage in /actuator/prometheus");
    }

    private static JsonNode other(JsonNode row) {
        return RunningGateway.JSON.readTree(row.path("other").asString());
    }
}
