package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.PricedGateway.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.support.PricedGateway;
import dev.creditgate.gateway.support.PricedGateway.Token;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.testkit.Fault;
import dev.creditgate.testkit.MockUpstream;
import dev.creditgate.testkit.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/messages}: the official Anthropic Java SDK talks to the gateway, the gateway to the mock upstream's
 * Anthropic API; native keys are billed from the usage (H2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicRelayIT {

    static final String MODEL = "claude-test";
    static final String FAILOVER = "claude-failover";
    static final String OPENAI_ONLY = "gpt-only";
    static final String UPSTREAM_KEY = "sk-ant-upstream-main";
    static final String COUNT_TOKENS = "/v1/messages/count_tokens";

    PricedGateway g;
    MockUpstream main;    // anthropic channel: claude-test
    MockUpstream flaky;   // anthropic, priority 10: claude-failover
    MockUpstream backup;  // anthropic, priority 0: claude-failover
    MockUpstream openai;  // openai channel: gpt-only
    final List<AnthropicClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        main = MockUpstream.start();
        flaky = MockUpstream.start();
        backup = MockUpstream.start();
        openai = MockUpstream.start();
        g = new PricedGateway(MODEL, FAILOVER, OPENAI_ONLY);
        g.channel("main", "anthropic", main.baseUrl(), UPSTREAM_KEY, MODEL, 0);
        g.channel("flaky", "anthropic", flaky.baseUrl(), "sk-ant-flaky", FAILOVER, 10);
        g.channel("backup", "anthropic", backup.baseUrl(), "sk-ant-backup", FAILOVER, 0);
        g.channel("openai", "openai", openai.baseUrl(), "sk-openai", OPENAI_ONLY, 0);
    }

    @BeforeEach
    void resetMocks() {
        for (MockUpstream m : List.of(main, flaky, backup, openai)) {
            m.reset();
        }
    }

    @AfterAll
    void stop() {
        if (g != null) {
            g.close();
        }
        for (MockUpstream m : new MockUpstream[] {main, flaky, backup, openai}) {
            if (m != null) {
                m.close();
            }
        }
    }

    AnthropicClient sdk(Token t) {
        return opened(AnthropicOkHttpClient.builder().baseUrl(g.baseUrl()).apiKey(t.key()).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build());
    }

    /** Closed after the test (the SDK's client is not AutoCloseable). */
    AnthropicClient opened(AnthropicClient client) {
        clients.add(client);
        return client;
    }

    @AfterEach
    void closeClients() {
        clients.forEach(AnthropicClient::close);
        clients.clear();
    }

    static MessageCreateParams.Builder params(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(256).addUserMessage("Say hello, please!");
    }

    // ---- the SDK talks to the gateway ------------------------------------------------------

    @Test
    void nonStreamArrivesIntactAndIsBilledFromItsUsage() {
        Token t = g.userWithToken(1_000_000);
        main.usage(40, 5);
        AnthropicClient client = sdk(t);

        Message message = client.messages().create(params(MODEL).system("Be kind.").build());

        assertThat(message.content()).singleElement().satisfies(block ->
                assertThat(block.text().orElseThrow().text()).isEqualTo(MockUpstream.DEFAULT_TEXT));
        assertThat(message.usage().inputTokens()).isEqualTo(40);
        assertThat(message.usage().outputTokens()).isEqualTo(5);
        assertThat(message.validate()).isSameAs(message);
        RecordedRequest upstream = main.lastRequest();
        assertThat(upstream.path()).isEqualTo("/v1/messages");
        assertThat(upstream.header("x-api-key")).isEqualTo(UPSTREAM_KEY); // the channel's key, not the client's
        assertThat(upstream.header("authorization")).isNull();
        assertThat(upstream.header("anthropic-version")).isNotBlank(); // the SDK's, passed through
        assertThat(upstream.json().path("system").asString()).isEqualTo("Be kind.");

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(40);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(40, 5));
        assertThat(row.path("model_name").asString()).isEqualTo(MODEL);
        assertThat(row.path("is_stream").asBoolean()).isFalse();
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(40, 5));
    }

    @Test
    void streamArrivesIntactAndIsBilledFromMessageStartAndMessageDelta() {
        Token t = g.userWithToken(1_000_000);
        main.usage(100, 7).chunks(7);
        AnthropicClient client = sdk(t);
        MessageAccumulator accumulator = MessageAccumulator.create();
        List<String> deltas = new ArrayList<>();

        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params(MODEL).build())) {
            stream.stream().forEach(event -> {
                accumulator.accumulate(event);
                event.contentBlockDelta().ifPresent(d -> deltas.add(d.delta().text().orElseThrow().text()));
            });
        }

        Message message = accumulator.message();
        assertThat(deltas).containsExactly("Hello", " from", " the", " mock", " upstream.", " Hello", " from");
        assertThat(message.usage().inputTokens()).isEqualTo(100);
        assertThat(message.usage().outputTokens()).isEqualTo(7);
        assertThat(main.lastRequest().header("accept")).isEqualTo("text/event-stream");
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(100);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(7);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(100, 7));
        assertThat(row.path("is_stream").asBoolean()).isTrue();
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(100, 7));
    }

    @Test
    void aBearerTokenIsAcceptedAsWellAsXApiKey() {
        Token t = g.userWithToken(1_000_000);
        {
            AnthropicClient bearer = opened(AnthropicOkHttpClient.builder().baseUrl(g.baseUrl()).authToken(t.key())
                    .maxRetries(0).build());
            assertThat(bearer.messages().create(params(MODEL).build()).content()).hasSize(1);
        }
        String body = RunningGateway.json("model", MODEL, "max_tokens", 16,
                "messages", List.of(java.util.Map.of("role", "user", "content", "hi")));
        assertThat(raw(body, "x-api-key", t.key()).statusCode()).isEqualTo(200);
        assertThat(raw(body, "Authorization", "Bearer " + t.key()).statusCode()).isEqualTo(200);
        assertThat(t.key()).startsWith("sk-");
        assertThat(raw(body, "x-api-key", t.key().substring(3)).statusCode()).isEqualTo(200); // also without sk-
        g.consumeRows(t, 4);
    }

    @Test
    void anthropicVersionAndBetaArePassedThrough() {
        Token t = g.userWithToken(1_000_000);
        String body = RunningGateway.json("model", MODEL, "max_tokens", 16,
                "messages", List.of(java.util.Map.of("role", "user", "content", "hi")));

        assertThat(raw(body, "x-api-key", t.key(), "anthropic-version", "2023-01-01",
                "anthropic-beta", "prompt-caching-2024-07-31").statusCode()).isEqualTo(200);

        assertThat(main.lastRequest().header("anthropic-version")).isEqualTo("2023-01-01");
        assertThat(main.lastRequest().header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");

        assertThat(raw(body, "x-api-key", t.key()).statusCode()).isEqualTo(200);
        assertThat(main.lastRequest().header("anthropic-version")).isEqualTo("2023-06-01"); // the default
        assertThat(main.lastRequest().header("anthropic-beta")).isNull();
    }

    // ---- the gateway's own refusals in Anthropic's shape ---------------------------------------------

    @Test
    void anInvalidKeyIsA401AuthenticationErrorForTheSdk() {
        {
            AnthropicClient client = opened(AnthropicOkHttpClient.builder().baseUrl(g.baseUrl())
                    .apiKey("sk-" + "x".repeat(48)).maxRetries(0).build());
            assertThatThrownBy(() -> client.messages().create(params(MODEL).build()))
                    .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(401);
                        assertThat(e.type()).contains(ErrorType.AUTHENTICATION_ERROR);
                        assertThat(e.apiMessage().orElseThrow()).contains("invalid API key");
                    });
        }
        assertThat(main.calls()).isZero();
    }

    @Test
    void insufficientQuotaIsA403PermissionErrorAndTheUpstreamIsNotCalled() {
        Token t = g.userWithToken(100);
        {
            AnthropicClient client = sdk(t);
            assertThatThrownBy(() -> client.messages().create(params(MODEL).build()))
                    .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.type()).contains(ErrorType.PERMISSION_ERROR);
                        assertThat(e.apiMessage().orElseThrow()).contains("remaining: 100").contains("need: ");
                    });
        }
        assertThat(main.calls()).isZero();
        assertThat(g.userQuota(t)).isEqualTo(100);
    }

    @Test
    void otherRefusalsComeInAnthropicsShape() {
        Token t = g.userWithToken(1_000_000);
        // a model no channel serves (one served only by an openai channel is translated: CrossFormatRelayIT)
        assertAnthropicError(raw(RunningGateway.json("model", "no-such-model", "max_tokens", 16, "messages",
                List.of(java.util.Map.of("role", "user", "content", "hi"))), "x-api-key", t.key()), 503, "api_error");
        assertAnthropicError(raw("{not json", "x-api-key", t.key()), 400, "invalid_request_error");
        assertAnthropicError(raw("{\"max_tokens\":5}", "x-api-key", t.key()), 400, "invalid_request_error");
        assertAnthropicError(raw("{}", "x-api-key", "nope"), 401, "authentication_error");
        assertThat(openai.calls()).isZero();
        assertThat(main.calls()).isZero();
    }

    @Test
    void upstreamErrorsPassThroughInTheirShape() {
        Token t = g.userWithToken(1_000_000);
        main.failNext(1, 400);
        HttpResponse<String> r = raw(RunningGateway.json("model", MODEL, "max_tokens", 16, "messages",
                List.of(java.util.Map.of("role", "user", "content", "hi"))), "x-api-key", t.key());
        assertAnthropicError(r, 400, "invalid_request_error");
        g.errorRows(t, 1);
        g.awaitUserQuota(t, 1_000_000);
    }

    // ---- failover, started streams, disconnects ----------------------------------------------------

    @Test
    void failsOverOn500BeforeTheFirstByteStreamAndNonStream() {
        Token t = g.userWithToken(1_000_000);
        {
            AnthropicClient client = sdk(t);
            flaky.failNext(1, 500);
            Message message = client.messages().create(params(FAILOVER).build());
            assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo(MockUpstream.DEFAULT_TEXT);
            assertThat(flaky.calls()).isEqualTo(1);
            assertThat(backup.calls()).isEqualTo(1);

            flaky.failNext(1, 529);
            StringBuilder text = new StringBuilder();
            try (StreamResponse<RawMessageStreamEvent> stream =
                         client.messages().createStreaming(params(FAILOVER).build())) {
                stream.stream().forEach(e -> e.contentBlockDelta()
                        .ifPresent(d -> text.append(d.delta().text().orElseThrow().text())));
            }
            assertThat(text.toString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
            assertThat(flaky.calls()).isEqualTo(2);
            assertThat(backup.calls()).isEqualTo(2);
        }
        assertThat(g.consumeRows(t, 2)).allSatisfy(row -> assertThat(row.path("quota").asLong()).isPositive());
    }

    @Test
    void aStreamBrokenBeforeItsFirstEventFailsOverToTheNextChannel() {
        Token t = g.userWithToken(1_000_000);
        flaky.faultNext(1, Fault.NONE.withCutAtStart());
        backup.usage(20, 5);
        AnthropicClient client = sdk(t);
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params(FAILOVER).build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message message = accumulator.message();
        assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(message.stopReason()).isPresent();
        assertThat(flaky.streamsCut()).isEqualTo(1);
        backup.awaitStreamsCompleted(1, Duration.ofSeconds(5)); // counted after the mock closed its body
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(20); // the backup's usage
    }

    @Test
    void aStartedStreamIsNotRetriedAndIsBilledForWhatWasDelivered() {
        Token t = g.userWithToken(1_000_000);
        flaky.usage(30, -1).fault(Fault.NONE.withCutAfter(2));
        StringBuilder text = new StringBuilder();
        AnthropicClient client = sdk(t);
        RuntimeException thrown = null;
        try (StreamResponse<RawMessageStreamEvent> stream =
                     client.messages().createStreaming(params(FAILOVER).build())) {
            stream.stream().forEach(e -> e.contentBlockDelta()
                    .ifPresent(d -> text.append(d.delta().text().orElseThrow().text())));
        } catch (RuntimeException e) {
            thrown = e;
        }
        // the gateway ends a broken stream with an Anthropic error event, which the SDK throws
        assertThat(thrown).isNotNull();
        assertThat(thrown.getMessage()).contains("broke off");
        assertThat(text.toString()).isEqualTo("Hello from");
        assertThat(flaky.streamsCut()).isEqualTo(1);
        assertThat(backup.calls()).isZero();
        int completion = TokenCounter.shared().countText(FAILOVER, "Hello from");
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(30);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(completion);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(30, completion));
    }

    @Test
    void whenTheClientGoesAwayTheUpstreamIsClosedNotDrained() throws Exception {
        Token t = g.userWithToken(1_000_000);
        flaky.chunks(500).fault(Fault.NONE.withChunkDelay(Duration.ofMillis(20)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(g.baseUrl() + "/v1/messages"))
                .header("x-api-key", t.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RunningGateway.json("model", FAILOVER, "stream", true,
                        "max_tokens", 1000, "messages", List.of(java.util.Map.of("role", "user", "content", "hi")))))
                .build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int deltas = 0;
        List<String> lines = new ArrayList<>();
        while (deltas < 3) {
            String line = reader.readLine();
            assertThat(line).isNotNull();
            lines.add(line);
            if (line.startsWith("data:") && line.contains("text_delta")) {
                deltas++;
            }
        }
        assertThat(lines.getFirst()).isEqualTo("event: message_start"); // relayed as the upstream sent it
        response.body().close(); // the client goes away
        client.close();

        flaky.awaitStreamsAbortedByClient(1, Duration.ofSeconds(15));
        assertThat(flaky.streamsCompleted()).isZero();
        assertThat(backup.calls()).isZero();
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("content").asString()).contains("client disconnected");
        assertThat(row.path("completion_tokens").asInt()).isPositive().isLessThan(500);
    }

    @Test
    void aStreamWithoutUsageIsBilledFromTheDeliveredText() {
        Token t = g.userWithToken(1_000_000);
        main.usage(30, -1).fault(Fault.NONE.withoutUsage());
        StringBuilder text = new StringBuilder();
        AnthropicClient client = sdk(t);
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params(MODEL).build())) {
            stream.stream().forEach(e -> e.contentBlockDelta()
                    .ifPresent(d -> text.append(d.delta().text().orElseThrow().text())));
        }
        assertThat(text.toString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        int completion = TokenCounter.shared().countText(MODEL, MockUpstream.DEFAULT_TEXT);
        assertThat(completion).isPositive();
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(30); // message_start still carries the input
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(completion);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(30, completion));
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(30, completion));
    }

    // ---- count_tokens ----------------------------------------------------------------------------------

    static MessageCountTokensParams count(String model) {
        return MessageCountTokensParams.builder().model(model).system("Be kind.").addUserMessage("Say hello, please!")
                .build();
    }

    @Test
    void countTokensAsksTheChannelsUpstreamAndChargesNothing() {
        Token t = g.userWithToken(1_000_000);
        main.usage(321, -1); // the mock's count_tokens answers its prompt count for messages
        AnthropicClient client = sdk(t);

        assertThat(client.messages().countTokens(count(MODEL)).inputTokens()).isEqualTo(321);

        RecordedRequest upstream = main.lastRequest();
        assertThat(upstream.path()).isEqualTo("/v1/messages/count_tokens");
        assertThat(upstream.header("x-api-key")).isEqualTo(UPSTREAM_KEY);
        assertThat(upstream.header("anthropic-version")).isNotBlank();
        assertThat(upstream.json().path("system").asString()).isEqualTo("Be kind.");
        assertNothingChargedOrLogged(t, client);
    }

    @Test
    void countTokensCountsLocallyWhenTheUpstreamHasNoSuchEndpointOrCannotBeReached() {
        Token t = g.userWithToken(1_000_000);
        AnthropicClient client = sdk(t);
        main.failNext(1, 404).failNext(1, 405);
        long first = client.messages().countTokens(count(MODEL)).inputTokens();
        int local = TokenCounter.shared().countAnthropicMessages(MODEL, main.lastRequest().json());
        assertThat(local).isPositive();
        assertThat(first).isEqualTo(local);
        assertThat(client.messages().countTokens(count(MODEL)).inputTokens()).isEqualTo(local);
        assertThat(main.calls("/v1/messages/count_tokens")).isEqualTo(2);

        // a model served only by an openai channel, and a channel nobody listens on: counted here
        assertThat(client.messages().countTokens(count(OPENAI_ONLY)).inputTokens())
                .isEqualTo(TokenCounter.shared().countAnthropicMessages(OPENAI_ONLY, main.lastRequest().json()));
        assertThat(openai.calls()).isZero();
        g.channel("dead", "anthropic", "http://127.0.0.1:1", "k", "claude-dead", 0);
        RunningGateway.await(Duration.ofSeconds(5), () -> countRaw("claude-dead", t.key()), a -> a.status() == 200);
        assertThat(countRaw("claude-dead", t.key()).json().path("input_tokens").asInt()).isEqualTo(
                TokenCounter.shared().countAnthropicMessages("claude-dead", main.lastRequest().json()));
        assertNothingChargedOrLogged(t, client);
    }

    @Test
    void countTokensChecksTheKeyAndTheBodyLikeMessages() {
        Token t = g.userWithToken(1_000_000);
        assertAnthropicError(rawTo(COUNT_TOKENS, "{not json", "x-api-key", t.key()), 400, "invalid_request_error");
        assertAnthropicError(rawTo(COUNT_TOKENS, "{\"messages\":[]}", "x-api-key", t.key()), 400,
                "invalid_request_error");
        assertAnthropicError(rawTo(COUNT_TOKENS, "{}", "x-api-key", "nope"), 401, "authentication_error");
        String limited = g.gw().admin("POST", "/api/token/", RunningGateway.json("name", "limited", "user_id", t.userId(),
                "unlimited_quota", true, "model_limits_enabled", true, "model_limits", FAILOVER))
                .data().path("key").asString();
        assertAnthropicError(rawTo(COUNT_TOKENS, RunningGateway.json("model", MODEL, "messages",
                List.of(java.util.Map.of("role", "user", "content", "hi"))), "Authorization", "Bearer " + limited),
                403, "permission_error");
        {
            AnthropicClient bearer = opened(AnthropicOkHttpClient.builder().baseUrl(g.baseUrl()).authToken(t.key())
                    .maxRetries(0).build());
            assertThat(bearer.messages().countTokens(count(MODEL)).inputTokens()).isPositive();
        }
        assertThat(main.calls()).isEqualTo(1);
    }

    /** No quota moved, no log row: the next real request is the token's only row. */
    void assertNothingChargedOrLogged(Token t, AnthropicClient client) {
        assertThat(g.userQuota(t)).isEqualTo(1_000_000);
        assertThat(g.gw().admin("GET", "/api/token/" + t.id(), null).data().path("used_quota").asLong()).isZero();
        main.usage(10, 2);
        client.messages().create(params(MODEL).build());
        assertThat(g.consumeRows(t, 1).getFirst().path("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(g.errorRows(t, 0)).isEmpty();
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(10, 2));
    }

    RunningGateway.Answer countRaw(String model, String key) {
        return g.gw().call("POST", COUNT_TOKENS, RunningGateway.json("model", model, "system", "Be kind.",
                "messages", List.of(java.util.Map.of("role", "user", "content", "Say hello, please!"))), "Bearer " + key);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    HttpResponse<String> raw(String body, String... headers) {
        return rawTo("/v1/messages", body, headers);
    }

    HttpResponse<String> rawTo(String path, String body, String... headers) {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.baseUrl() + path))
                    .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void assertAnthropicError(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode json = RunningGateway.JSON.readTree(r.body());
        assertThat(json.path("type").asString()).as(r.body()).isEqualTo("error");
        assertThat(json.path("error").path("type").asString()).as(r.body()).isEqualTo(type);
        assertThat(json.path("error").path("message").asString()).as(r.body()).isNotBlank();
    }
}
