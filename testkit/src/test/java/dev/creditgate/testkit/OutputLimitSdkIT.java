package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;

import tools.jackson.databind.JsonNode;

/**
 * {@link MockUpstream#answerAtOutputLimit}: every answer, stream and non-stream, has exactly the request's output
 * limit as completion tokens, in usage and in content, as the official SDKs read it; {@link
 * MockUpstream#exceedOutputLimit} goes beyond it.
 */
class OutputLimitSdkIT {

    static MockUpstream mock;
    static OpenAIClient openai;
    static AnthropicClient anthropic;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start();
        openai = OpenAIOkHttpClient.builder().baseUrl(mock.baseUrl() + "/v1").apiKey("sk-test").maxRetries(0).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl(mock.baseUrl()).apiKey("sk-ant-test").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openai.close();
        anthropic.close();
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset().answerAtOutputLimit(true);
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Write a long story");
    }

    /** How many words the text has: one per output token. */
    private static int words(String text) {
        return text.isEmpty() ? 0 : text.split(" ", -1).length;
    }

    // ---- chat ------------------------------------------------------------------------------

    @Test
    void chatNonStreamAnswersWithTheWholeMaxCompletionTokens() {
        ChatCompletion c = openai.chat().completions().create(chat().maxCompletionTokens(300).build());

        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(300);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 300);
        String content = c.choices().getFirst().message().content().orElseThrow();
        assertThat(words(content)).isEqualTo(300);
        assertThat(content).startsWith("word word ").doesNotStartWith(" ");
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    }

    @Test
    void chatLegacyMaxTokensCountsToo() {
        ChatCompletion c = openai.chat().completions().create(chat().maxTokens(17).build());

        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(17);
        assertThat(words(c.choices().getFirst().message().content().orElseThrow())).isEqualTo(17);
    }

    @Test
    void chatStreamSendsOneChunkPerTokenAndTheLimitAsUsage() {
        List<String> deltas = new ArrayList<>();
        List<CompletionUsage> usages = new ArrayList<>();
        List<ChatCompletionChunk.Choice.FinishReason> finish = new ArrayList<>();
        ChatCompletionCreateParams params = chat().maxCompletionTokens(1000)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> {
                    choice.delta().content().filter(s -> !s.isEmpty()).ifPresent(deltas::add);
                    choice.finishReason().ifPresent(finish::add);
                });
                chunk.usage().ifPresent(usages::add);
            });
        }
        assertThat(deltas).hasSize(1000);
        assertThat(words(String.join("", deltas))).isEqualTo(1000);
        assertThat(usages).singleElement().satisfies(u -> assertThat(u.completionTokens()).isEqualTo(1000));
        assertThat(finish).containsExactly(ChatCompletionChunk.Choice.FinishReason.LENGTH);
    }

    @Test
    void withoutALimitTheDefaultOneIsWrittenAndChunksMayCarrySeveralTokens() {
        // like a model writing until its own maximum: 4096 by default
        ChatCompletion c = openai.chat().completions().create(chat().build());
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4096);
        assertThat(words(c.choices().getFirst().message().content().orElseThrow())).isEqualTo(4096);

        mock.defaultOutputLimit(1000).outputTokensPerChunk(64);
        List<String> deltas = new ArrayList<>();
        List<CompletionUsage> usages = new ArrayList<>();
        ChatCompletionCreateParams params = chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(ch -> ch.delta().content().filter(s -> !s.isEmpty()).ifPresent(deltas::add));
                chunk.usage().ifPresent(usages::add);
            });
        }
        assertThat(deltas).hasSize(16); // ceil(1000 / 64)
        assertThat(words(deltas.getFirst())).isEqualTo(64);
        assertThat(words(deltas.getLast().strip())).isEqualTo(1000 - 15 * 64);
        assertThat(words(String.join("", deltas))).isEqualTo(1000);
        assertThat(usages).singleElement().satisfies(u -> assertThat(u.completionTokens()).isEqualTo(1000));
    }

    @Test
    void theModeOverridesFixedCompletionTokensButKeepsFixedPromptTokens() {
        mock.usage(42, 5);

        CompletionUsage usage = openai.chat().completions().create(chat().maxCompletionTokens(77).build())
                .usage().orElseThrow();

        assertThat(usage.promptTokens()).isEqualTo(42);
        assertThat(usage.completionTokens()).isEqualTo(77);
    }

    @Test
    void anUpstreamIgnoringTheLimitWritesMore() {
        mock.answerAtOutputLimit(false).exceedOutputLimit(25);

        ChatCompletion c = openai.chat().completions().create(chat().maxCompletionTokens(100).build());
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(125);
        assertThat(words(c.choices().getFirst().message().content().orElseThrow())).isEqualTo(125);

        Message m = anthropic.messages().create(MessageCreateParams.builder().model("claude-sonnet-4-5")
                .maxTokens(10).addUserMessage("hi").build());
        assertThat(m.usage().outputTokens()).isEqualTo(35);

        mock.exceedOutputLimit(0);
        assertThat(openai.chat().completions().create(chat().maxCompletionTokens(3).build()).usage().orElseThrow()
                .completionTokens()).isEqualTo(3); // off again: the 5-word reply, capped at 3 chunks
    }

    @Test
    void badSettingsAreRefusedByTheJavaApi() {
        assertThatThrownBy(() -> mock.defaultOutputLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("defaultOutputLimit: 0");
        assertThatThrownBy(() -> mock.exceedOutputLimit(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mock.outputTokensPerChunk(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(mock.outputLimit()).isEqualTo(OutputLimit.DEFAULTS.withAnswerAtLimit(true));
    }

    @Test
    void anAbsurdLimitIsRefusedLikeARealModelWould() {
        assertThatThrownBy(() -> openai.chat().completions().create(chat().maxCompletionTokens(5_000_000).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.getMessage()).contains("5000000").contains("1000000"));
    }

    @Test
    void embeddingsAndCountTokensAreUntouched() {
        assertThat(Http.json(Http.post(mock, "/v1/messages/count_tokens",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}").body())
                .get("input_tokens").asLong()).isEqualTo(3);
        JsonNode e = Http.json(Http.post(mock, "/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}").body());
        assertThat(e.get("usage").get("prompt_tokens").asLong()).isEqualTo(1);
    }

    // ---- responses -------------------------------------------------------------------------

    @Test
    void responsesNonStreamAndStreamUseMaxOutputTokens() {
        Response r = openai.responses().create(ResponseCreateParams.builder().model("gpt-4o").input("Tell me")
                .maxOutputTokens(250).build());
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(250);
        assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
        assertThat(words(r.output().getFirst().message().orElseThrow().content().getFirst().outputText().orElseThrow()
                .text())).isEqualTo(250);

        List<String> deltas = new ArrayList<>();
        List<Response> done = new ArrayList<>();
        ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-4o").input("Tell me")
                .maxOutputTokens(400).build();
        try (StreamResponse<ResponseStreamEvent> stream = openai.responses().createStreaming(params)) {
            stream.stream().forEach(event -> {
                event.validate();
                event.outputTextDelta().ifPresent(d -> deltas.add(d.delta()));
                event.incomplete().ifPresent(i -> done.add(i.response()));
            });
        }
        assertThat(deltas).hasSize(400);
        assertThat(words(String.join("", deltas))).isEqualTo(400);
        assertThat(done).singleElement().satisfies(resp -> {
            assertThat(resp.usage().orElseThrow().outputTokens()).isEqualTo(400);
            assertThat(resp.incompleteDetails().orElseThrow().reason()).isPresent();
        });
    }

    // ---- anthropic -------------------------------------------------------------------------

    @Test
    void anthropicNonStreamAndStreamUseMaxTokens() {
        Message m = anthropic.messages().create(MessageCreateParams.builder().model("claude-sonnet-4-5")
                .maxTokens(512).addUserMessage("Write").build());
        assertThat(m.usage().outputTokens()).isEqualTo(512);
        assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(words(m.content().getFirst().text().orElseThrow().text())).isEqualTo(512);

        MessageAccumulator acc = MessageAccumulator.create();
        List<String> deltas = new ArrayList<>();
        try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> stream = anthropic.messages()
                .createStreaming(MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(4096)
                        .addUserMessage("Write").build())) {
            stream.stream().forEach(event -> {
                acc.accumulate(event);
                event.contentBlockDelta().ifPresent(d -> deltas.add(d.delta().text().orElseThrow().text()));
            });
        }
        assertThat(deltas).hasSize(4096);
        Message streamed = acc.message();
        assertThat(streamed.usage().outputTokens()).isEqualTo(4096);
        assertThat(streamed.stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(words(streamed.content().getFirst().text().orElseThrow().text())).isEqualTo(4096);
    }

    // ---- control endpoint ------------------------------------------------------------------

    @Test
    void theControlEndpointSetsShowsAndResetsTheMode() {
        mock.answerAtOutputLimit(false);
        HttpResponse<String> set = Http.post(mock, "/_mock/config", "{\"answerAtOutputLimit\":true,"
                + "\"defaultOutputLimit\":33,\"exceedOutputLimit\":2,\"outputTokensPerChunk\":4}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode config = Http.json(Http.get(mock, "/_mock/config").body());
        assertThat(config.get("answerAtOutputLimit").booleanValue()).isTrue();
        assertThat(config.get("defaultOutputLimit").asLong()).isEqualTo(33);
        assertThat(config.get("exceedOutputLimit").asLong()).isEqualTo(2);
        assertThat(config.get("outputTokensPerChunk").asInt()).isEqualTo(4);

        JsonNode chat = Http.json(Http.post(mock, "/v1/chat/completions",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body());
        assertThat(chat.get("usage").get("completion_tokens").asLong()).isEqualTo(35);

        // a bad value changes nothing, not even the good keys beside it
        HttpResponse<String> bad = Http.post(mock, "/_mock/config", "{\"answerAtOutputLimit\":false,\"defaultOutputLimit\":0}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Http.json(bad.body()).get("error").stringValue()).contains("defaultOutputLimit");
        assertThat(Http.post(mock, "/_mock/config", "{\"answerAtOutputLimit\":\"yes\"}").statusCode()).isEqualTo(400);
        assertThat(Http.post(mock, "/_mock/config", "{\"exceedOutputLimit\":-1}").statusCode()).isEqualTo(400);
        assertThat(Http.json(Http.get(mock, "/_mock/config").body()).get("answerAtOutputLimit").booleanValue()).isTrue();

        Http.post(mock, "/_mock/reset", "");
        JsonNode after = Http.json(Http.get(mock, "/_mock/config").body());
        assertThat(after.get("answerAtOutputLimit").booleanValue()).isFalse();
        assertThat(after.get("defaultOutputLimit").asLong()).isEqualTo(4096);
        assertThat(after.get("exceedOutputLimit").asLong()).isZero();
    }
}
