package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;

/** The official OpenAI Java SDK understands every answer of the mock. */
class OpenAiSdkIT {

    static MockUpstream mock;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start();
        client = OpenAIOkHttpClient.builder().baseUrl(mock.baseUrl() + "/v1").apiKey("sk-test-openai")
                .maxRetries(0).build();
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

    private static ChatCompletionCreateParams.Builder chat(String prompt) {
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage(prompt);
    }

    @Test
    void chatCompletionNonStream() {
        ChatCompletion completion = client.chat().completions().create(chat("Say hello, please!").build());

        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.model()).isEqualTo("gpt-4o-mini");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().getFirst().message().content()).contains("Hello from the mock upstream.");
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        // "Say hello, please!" is 18 characters: ceil(18 / 4) = 5 prompt tokens; 5 chunks = 5 completion tokens.
        assertThat(usage.promptTokens()).isEqualTo(5);
        assertThat(usage.completionTokens()).isEqualTo(5);
        assertThat(usage.totalTokens()).isEqualTo(10);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(0L);

        RecordedRequest request = mock.lastRequest();
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.header("authorization")).isEqualTo("Bearer sk-test-openai");
        assertThat(request.json().get("model").stringValue()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void chatCompletionStreamWithUsage() {
        mock.usage(21, 3).reply("one two three");
        List<String> deltas = new ArrayList<>();
        List<CompletionUsage> usages = new ArrayList<>();
        ChatCompletionCreateParams params = chat("hi")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(deltas::add));
                chunk.usage().ifPresent(usages::add);
            });
        }
        assertThat(String.join("", deltas)).isEqualTo("one two three");
        assertThat(deltas).containsExactly("", "one", " two", " three");
        assertThat(usages).singleElement().satisfies(u -> {
            assertThat(u.promptTokens()).isEqualTo(21);
            assertThat(u.completionTokens()).isEqualTo(3);
            assertThat(u.totalTokens()).isEqualTo(24);
        });
        assertThat(mock.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void chatStreamWithoutIncludeUsageSendsNoUsage() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat("hi").build())) {
            stream.stream().forEach(chunks::add);
        }
        // role chunk + 5 content chunks + finish chunk
        assertThat(chunks).hasSize(7);
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(chunks.getLast().choices().getFirst().finishReason())
                .contains(ChatCompletionChunk.Choice.FinishReason.STOP);
    }

    @Test
    void maxTokensCapsTheReply() {
        ChatCompletion completion = client.chat().completions().create(chat("hi").maxCompletionTokens(2).build());

        assertThat(completion.choices().getFirst().message().content()).contains("Hello from");
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(2);
    }

    @Test
    void embeddingsInTheSdkDefaultEncodingAndAsFloats() {
        CreateEmbeddingResponse byDefault = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello world").build());
        CreateEmbeddingResponse asFloats = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello world").dimensions(8)
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());

        float[] expected16 = OpenAiWire.vector("hello world", 16);
        List<Float> vector = byDefault.data().getFirst().embedding();
        assertThat(vector).hasSize(16);
        for (int i = 0; i < 16; i++) {
            assertThat(vector.get(i)).isEqualTo(expected16[i]);
        }
        assertThat(asFloats.data().getFirst().embedding()).hasSize(8)
                .startsWith(expected16[0], expected16[1]); // same input, same deterministic values
        assertThat(byDefault.usage().promptTokens()).isEqualTo(3); // ceil(11 / 4)
        assertThat(byDefault.usage().totalTokens()).isEqualTo(3);
        assertThat(byDefault.model()).isEqualTo("text-embedding-3-small");
        assertThat(mock.calls("/v1/embeddings")).isEqualTo(2);
    }

    @Test
    void modelsList() {
        mock.models("gpt-4o-mini", "claude-sonnet-4-5");

        List<Model> models = client.models().list().data();

        assertThat(models).extracting(Model::id).containsExactly("gpt-4o-mini", "claude-sonnet-4-5");
        assertThat(models.getFirst().ownedBy()).isEqualTo("creditgate-mock");
    }

    @Test
    void responsesNonStream() {
        mock.usage(40, 5);
        Response response = client.responses().create(ResponseCreateParams.builder()
                .model("gpt-4o").input("Tell me something").instructions("Be brief").build());

        assertThat(response.id()).startsWith("resp_");
        assertThat(response.status()).contains(com.openai.models.responses.ResponseStatus.COMPLETED);
        assertThat(response.output()).singleElement().satisfies(item ->
                assertThat(item.message().orElseThrow().content().getFirst().outputText().orElseThrow().text())
                        .isEqualTo("Hello from the mock upstream."));
        ResponseUsage usage = response.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(40);
        assertThat(usage.outputTokens()).isEqualTo(5);
        assertThat(usage.totalTokens()).isEqualTo(45);
        assertThat(response.instructions()).isPresent();
        assertThat(response.validate()).isSameAs(response); // every field the SDK requires is there
    }

    @Test
    void responsesStream() {
        List<String> deltas = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<Response> completed = new ArrayList<>();
        ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-4o").input("Hi there").build();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(event -> {
                event.validate();
                types.add(typeOf(event));
                event.outputTextDelta().ifPresent(d -> deltas.add(d.delta()));
                event.completed().ifPresent(c -> completed.add(c.response()));
            });
        }
        assertThat(types).containsExactly("created", "in_progress", "output_item.added", "content_part.added",
                "delta", "delta", "delta", "delta", "delta", "output_text.done", "content_part.done",
                "output_item.done", "completed");
        assertThat(String.join("", deltas)).isEqualTo("Hello from the mock upstream.");
        assertThat(completed).singleElement().satisfies(r -> {
            assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(2); // ceil(8 / 4)
            assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(5);
        });
    }

    private static String typeOf(ResponseStreamEvent e) {
        if (e.isCreated()) return "created";
        if (e.isInProgress()) return "in_progress";
        if (e.isOutputItemAdded()) return "output_item.added";
        if (e.isContentPartAdded()) return "content_part.added";
        if (e.isOutputTextDelta()) return "delta";
        if (e.isOutputTextDone()) return "output_text.done";
        if (e.isContentPartDone()) return "content_part.done";
        if (e.isOutputItemDone()) return "output_item.done";
        if (e.isCompleted()) return "completed";
        return "other";
    }

    @Test
    void wrongKeyIs401InOpenAiShape() {
        mock.apiKey("sk-right");

        assertThatThrownBy(() -> client.chat().completions().create(chat("hi").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.code()).contains("invalid_api_key");
                    assertThat(e.type()).contains("invalid_request_error");
                    assertThat(e.getMessage()).doesNotContain("sk-test-openai");
                });
    }

    @Test
    void rightKeyPasses() {
        mock.apiKey("sk-test-openai");

        assertThat(client.chat().completions().create(chat("hi").build()).choices()).hasSize(1);
    }

    @Test
    void injectedStatusesReachTheSdkAsServiceErrors() {
        mock.failNext(1, 429).failNext(1, 500);

        assertThatThrownBy(() -> client.chat().completions().create(chat("hi").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.code()).contains("rate_limit_exceeded");
                });
        assertThatThrownBy(() -> client.chat().completions().create(chat("hi").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(500);
                    assertThat(e.type()).contains("server_error");
                });
        assertThat(client.chat().completions().create(chat("hi").build()).choices()).hasSize(1);
    }
}
