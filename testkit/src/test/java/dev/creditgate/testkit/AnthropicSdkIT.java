package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;

/** The official Anthropic Java SDK understands every answer of the mock. */
class AnthropicSdkIT {

    static MockUpstream mock;
    static AnthropicClient client;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start();
        client = AnthropicOkHttpClient.builder().baseUrl(mock.baseUrl()).apiKey("sk-ant-test").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    private static MessageCreateParams.Builder params(String prompt) {
        return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(256).addUserMessage(prompt);
    }

    @Test
    void messageNonStream() {
        Message message = client.messages().create(params("What is up?").system("Be kind.").build());

        assertThat(message.id()).startsWith("msg_");
        assertThat(message.model().asString()).isEqualTo("claude-sonnet-4-5");
        assertThat(message.content()).singleElement()
                .satisfies(block -> assertThat(block.text().orElseThrow().text()).isEqualTo("Hello from the mock upstream."));
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        // "Be kind." (8) + "What is up?" (11) = 19 characters: ceil(19 / 4) = 5.
        assertThat(message.usage().inputTokens()).isEqualTo(5);
        assertThat(message.usage().outputTokens()).isEqualTo(5);
        assertThat(message.usage().cacheReadInputTokens()).contains(0L);
        assertThat(message.validate()).isSameAs(message);

        RecordedRequest request = mock.lastRequest();
        // This SDK version sends the key as a bearer token; the mock accepts it there or in x-api-key.
        assertThat(request.header("x-api-key") != null ? request.header("x-api-key") : request.header("authorization"))
                .endsWith("sk-ant-test");
        assertThat(request.header("anthropic-version")).isNotBlank();
    }

    @Test
    void messageStreamDeliversTextAndUsage() {
        mock.usage(100, 7).chunks(7);
        MessageAccumulator accumulator = MessageAccumulator.create();
        List<String> deltas = new ArrayList<>();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params("hi").build())) {
            stream.stream().forEach(event -> {
                accumulator.accumulate(event);
                event.contentBlockDelta().ifPresent(d -> deltas.add(d.delta().text().orElseThrow().text()));
            });
        }
        Message message = accumulator.message();

        assertThat(deltas).containsExactly("Hello", " from", " the", " mock", " upstream.", " Hello", " from");
        assertThat(message.content().getFirst().text().orElseThrow().text())
                .isEqualTo("Hello from the mock upstream. Hello from");
        assertThat(message.usage().inputTokens()).isEqualTo(100);
        assertThat(message.usage().outputTokens()).isEqualTo(7);
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(mock.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void maxTokensStopsTheStream() {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
                     client.messages().createStreaming(params("hi").maxTokens(3).build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertThat(accumulator.message().stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(accumulator.message().usage().outputTokens()).isEqualTo(3);
    }

    @Test
    void errorsComeInTheAnthropicShape() {
        mock.failNext(1, 529).apiKey("someone-else");

        assertThatThrownBy(() -> client.messages().create(params("hi").build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.type()).contains(ErrorType.AUTHENTICATION_ERROR);
                });
        mock.apiKey(null);
        assertThatThrownBy(() -> client.messages().create(params("hi").build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(529);
                    assertThat(e.type()).contains(ErrorType.OVERLOADED_ERROR);
                });
        mock.failNext(1, 429);
        assertThatThrownBy(() -> client.messages().create(params("hi").build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.type()).contains(ErrorType.RATE_LIMIT_ERROR);
                });
    }
}
