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

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
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
 * {@code POST /v1/responses}: the official OpenAI Java SDK talks to the gateway, the gateway to the mock upstream's
 * Responses API; native keys are billed from the usage (H2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesRelayIT {

    static final String MODEL = "resp-test";
    static final String FAILOVER = "resp-failover";
    static final String ANTHROPIC_ONLY = "claude-only";
    static final String UPSTREAM_KEY = "sk-openai-upstream-main";

    PricedGateway g;
    MockUpstream main;      // openai channel: resp-test
    MockUpstream flaky;     // openai, priority 10: resp-failover
    MockUpstream backup;    // openai, priority 0: resp-failover
    MockUpstream anthropic; // anthropic channel: claude-only
    final List<OpenAIClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        main = MockUpstream.start();
        flaky = MockUpstream.start();
        backup = MockUpstream.start();
        anthropic = MockUpstream.start();
        g = new PricedGateway(MODEL, FAILOVER, ANTHROPIC_ONLY);
        g.channel("main", "openai", main.baseUrl(), UPSTREAM_KEY, MODEL, 0);
        g.channel("flaky", "openai", flaky.baseUrl(), "sk-flaky", FAILOVER, 10);
        g.channel("backup", "openai", backup.baseUrl(), "sk-backup", FAILOVER, 0);
        g.channel("anthropic", "anthropic", anthropic.baseUrl(), "sk-ant", ANTHROPIC_ONLY, 0);
    }

    @BeforeEach
    void resetMocks() {
        for (MockUpstream m : List.of(main, flaky, backup, anthropic)) {
            m.reset();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(OpenAIClient::close);
        clients.clear();
    }

    @AfterAll
    void stop() {
        if (g != null) {
            g.close();
        }
        for (MockUpstream m : new MockUpstream[] {main, flaky, backup, anthropic}) {
            if (m != null) {
                m.close();
            }
        }
    }

    OpenAIClient sdk(String key) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(g.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
        clients.add(client);
        return client;
    }

    static ResponseCreateParams params(String model) {
        return ResponseCreateParams.builder().model(model).input("Tell me something").instructions("Be brief")
                .maxOutputTokens(256L).build();
    }

    // ---- the SDK talks to the gateway ------------------------------------------------------

    @Test
    void nonStreamArrivesIntactAndIsBilledFromItsUsage() {
        Token t = g.userWithToken(1_000_000);
        main.usage(40, 5);

        Response response = sdk(t.key()).responses().create(params(MODEL));

        assertThat(response.output()).singleElement().satisfies(item ->
                assertThat(item.message().orElseThrow().content().getFirst().outputText().orElseThrow().text())
                        .isEqualTo(MockUpstream.DEFAULT_TEXT));
        ResponseUsage usage = response.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(40);
        assertThat(usage.outputTokens()).isEqualTo(5);
        assertThat(response.validate()).isSameAs(response);
        RecordedRequest upstream = main.lastRequest();
        assertThat(upstream.path()).isEqualTo("/v1/responses");
        assertThat(upstream.header("authorization")).isEqualTo("Bearer " + UPSTREAM_KEY);
        assertThat(upstream.json().path("instructions").asString()).isEqualTo("Be brief");

        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(40);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(40, 5));
        assertThat(row.path("model_name").asString()).isEqualTo(MODEL);
        assertThat(row.path("is_stream").asBoolean()).isFalse();
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(40, 5));
    }

    @Test
    void streamArrivesIntactAndIsBilledFromResponseCompleted() {
        Token t = g.userWithToken(1_000_000);
        main.usage(60, 7).chunks(7);
        List<String> deltas = new ArrayList<>();
        List<Response> completed = new ArrayList<>();

        try (StreamResponse<ResponseStreamEvent> stream = sdk(t.key()).responses().createStreaming(params(MODEL))) {
            stream.stream().forEach(event -> {
                event.validate();
                event.outputTextDelta().ifPresent(d -> deltas.add(d.delta()));
                event.completed().ifPresent(c -> completed.add(c.response()));
            });
        }

        assertThat(deltas).containsExactly("Hello", " from", " the", " mock", " upstream.", " Hello", " from");
        assertThat(completed).singleElement().satisfies(r -> {
            assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(60);
            assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(7);
        });
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(60);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(7);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(60, 7));
        assertThat(row.path("is_stream").asBoolean()).isTrue();
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(60, 7));
    }

    // ---- refusals in OpenAI's shape ----------------------------------------------------------------

    @Test
    void anInvalidKeyIsA401InOpenAisShape() {
        assertThatThrownBy(() -> sdk("sk-" + "x".repeat(48)).responses().create(params(MODEL)))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.code()).contains("invalid_api_key");
                });
        assertThat(main.calls()).isZero();
    }

    @Test
    void insufficientQuotaIsA403AndTheUpstreamIsNotCalled() {
        Token t = g.userWithToken(100);
        assertThatThrownBy(() -> sdk(t.key()).responses().create(params(MODEL)))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.code()).contains("insufficient_user_quota");
                });
        assertThat(main.calls()).isZero();
        assertThat(g.userQuota(t)).isEqualTo(100);
    }

    @Test
    void aModelServedOnlyByAnAnthropicChannelIsNotRoutedThere() {
        Token t = g.userWithToken(1_000_000);
        assertThatThrownBy(() -> sdk(t.key()).responses().create(params(ANTHROPIC_ONLY)))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.code()).contains("model_not_found");
                });
        assertThat(anthropic.calls()).isZero();
    }

    // ---- failover, started streams, disconnects ----------------------------------------------------

    @Test
    void failsOverOn500BeforeTheFirstByteStreamAndNonStream() {
        Token t = g.userWithToken(1_000_000);
        OpenAIClient client = sdk(t.key());
        flaky.failNext(1, 500);
        Response response = client.responses().create(params(FAILOVER));
        assertThat(response.output().getFirst().message().orElseThrow().content().getFirst().outputText()
                .orElseThrow().text()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(flaky.calls()).isEqualTo(1);
        assertThat(backup.calls()).isEqualTo(1);

        flaky.failNext(1, 503);
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params(FAILOVER))) {
            stream.stream().forEach(e -> e.outputTextDelta().ifPresent(d -> text.append(d.delta())));
        }
        assertThat(text.toString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(flaky.calls()).isEqualTo(2);
        assertThat(backup.calls()).isEqualTo(2);
        assertThat(g.consumeRows(t, 2)).allSatisfy(row -> assertThat(row.path("quota").asLong()).isPositive());
    }

    @Test
    void aStreamBrokenBeforeItsFirstEventFailsOverToTheNextChannel() {
        Token t = g.userWithToken(1_000_000);
        flaky.faultNext(1, Fault.NONE.withCutAtStart());
        backup.usage(20, 5);
        StringBuilder text = new StringBuilder();
        List<ResponseUsage> usages = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk(t.key()).responses().createStreaming(params(FAILOVER))) {
            stream.stream().forEach(e -> {
                e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                e.completed().ifPresent(c -> c.response().usage().ifPresent(usages::add));
            });
        }
        assertThat(text.toString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(usages).singleElement().satisfies(u -> assertThat(u.inputTokens()).isEqualTo(20));
        assertThat(flaky.streamsCut()).isEqualTo(1);
        backup.awaitStreamsCompleted(1, Duration.ofSeconds(5)); // counted after the mock closed its body
        assertThat(g.consumeRows(t, 1).getFirst().path("prompt_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void aStartedStreamIsNotRetriedAndIsBilledForWhatWasDelivered() {
        Token t = g.userWithToken(1_000_000);
        flaky.fault(Fault.NONE.withCutAfter(2));
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = sdk(t.key()).responses().createStreaming(params(FAILOVER))) {
            stream.stream().forEach(e -> e.outputTextDelta().ifPresent(d -> text.append(d.delta())));
        } catch (RuntimeException cut) {
            // the SDK may or may not complain about the stream's missing end; what matters is below
        }
        assertThat(text.toString()).isEqualTo("Hello from");
        assertThat(flaky.streamsCut()).isEqualTo(1);
        assertThat(backup.calls()).isZero();
        int prompt = TokenCounter.shared().countResponsesInput(FAILOVER, flaky.lastRequest().json());
        int completion = TokenCounter.shared().countText(FAILOVER, "Hello from");
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(prompt);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(completion);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(prompt, completion));
    }

    @Test
    void whenTheClientGoesAwayTheUpstreamIsClosedNotDrained() throws Exception {
        Token t = g.userWithToken(1_000_000);
        flaky.chunks(500).fault(Fault.NONE.withChunkDelay(Duration.ofMillis(20)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(g.baseUrl() + "/v1/responses"))
                .header("Authorization", "Bearer " + t.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RunningGateway.json("model", FAILOVER, "stream", true,
                        "input", "hi"))).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int deltas = 0;
        List<String> lines = new ArrayList<>();
        while (deltas < 3) {
            String line = reader.readLine();
            assertThat(line).isNotNull();
            lines.add(line);
            if (line.startsWith("data:") && line.contains("response.output_text.delta")) {
                deltas++;
            }
        }
        assertThat(lines.getFirst()).isEqualTo("event: response.created"); // relayed as the upstream sent it
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
        main.fault(Fault.NONE.withoutUsage());
        StringBuilder text = new StringBuilder();
        List<Response> completed = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk(t.key()).responses().createStreaming(params(MODEL))) {
            stream.stream().forEach(e -> {
                e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                e.completed().ifPresent(c -> completed.add(c.response()));
            });
        }
        assertThat(text.toString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(completed).singleElement().satisfies(r -> assertThat(r.usage()).isEmpty());
        int prompt = TokenCounter.shared().countResponsesInput(MODEL, main.lastRequest().json());
        int completion = TokenCounter.shared().countText(MODEL, MockUpstream.DEFAULT_TEXT);
        assertThat(completion).isPositive();
        JsonNode row = g.consumeRows(t, 1).getFirst();
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(prompt);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(completion);
        assertThat(row.path("quota").asLong()).isEqualTo(quota(prompt, completion));
        assertThat(g.userQuota(t)).isEqualTo(1_000_000 - quota(prompt, completion));
    }
}
