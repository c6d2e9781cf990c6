package dev.creditgate.gateway.support;

import java.time.Duration;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.creditgate.gateway.pricing.PricingConfig;

/**
 * Requests made with the official SDKs (Anthropic for messages, OpenAI for chat completions and Responses), stream or
 * not, reduced to what a charge test looks at: the usage the client saw. And pricing option values built on
 * new-api's defaults (an option value replaces the whole map, so a test that adds one model keeps the others).
 */
public final class SdkCalls {

    /** The usage the client saw: input/prompt tokens as the API reports them, the cache reads, output tokens. */
    public record SeenUsage(long input, long cacheRead, long output) {
    }

    private SdkCalls() {
    }

    public static AnthropicClient anthropic(String baseUrl, String key) {
        return AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    public static OpenAIClient openai(String baseUrl, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    /** {@code POST /v1/messages}; Anthropic's {@code input_tokens} is the uncached part. */
    public static SeenUsage messages(AnthropicClient client, String model, long maxTokens, boolean stream) {
        MessageCreateParams params = MessageCreateParams.builder().model(model).maxTokens(maxTokens)
                .system("You are a careful assistant.").addUserMessage("Summarise the cached document.").build();
        Message message;
        if (stream) {
            MessageAccumulator accumulator = MessageAccumulator.create();
            try (StreamResponse<RawMessageStreamEvent> events = client.messages().createStreaming(params)) {
                events.stream().forEach(accumulator::accumulate);
            }
            message = accumulator.message();
        } else {
            message = client.messages().create(params);
        }
        return new SeenUsage(message.usage().inputTokens(), message.usage().cacheReadInputTokens().orElse(-1L),
                message.usage().outputTokens());
    }

    /** {@code POST /v1/chat/completions}; a stream asks for its usage chunk ({@code include_usage}). */
    public static SeenUsage chat(OpenAIClient client, String model, Long maxCompletionTokens, boolean stream) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(model)
                .addSystemMessage("You are a careful assistant.").addUserMessage("Summarise the cached document.");
        if (maxCompletionTokens != null) {
            b.maxCompletionTokens(maxCompletionTokens);
        }
        if (!stream) {
            ChatCompletion c = client.chat().completions().create(b.build());
            var u = c.usage().orElseThrow();
            return new SeenUsage(u.promptTokens(),
                    u.promptTokensDetails().flatMap(d -> d.cachedTokens()).orElse(-1L), u.completionTokens());
        }
        b.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        SeenUsage[] seen = {null};
        try (var events = client.chat().completions().createStreaming(b.build())) {
            events.stream().map(ChatCompletionChunk::usage).forEach(o -> o.ifPresent(u -> seen[0] = new SeenUsage(
                    u.promptTokens(), u.promptTokensDetails().flatMap(d -> d.cachedTokens()).orElse(-1L),
                    u.completionTokens())));
        }
        if (seen[0] == null) {
            throw new AssertionError("the stream had no usage chunk although include_usage was asked for");
        }
        return seen[0];
    }

    /**
     * A chat stream whose client does not ask for usage: the gateway asks the upstream for it and hides the usage
     * chunk. Returns the number of chunks with usage the client saw (expected: 0) and the text.
     */
    public static Map.Entry<Integer, String> chatStreamWithoutUsage(OpenAIClient client, String model) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(model)
                .addSystemMessage("You are a careful assistant.").addUserMessage("Summarise the cached document.")
                .build();
        int[] withUsage = {0};
        StringBuilder text = new StringBuilder();
        try (var events = client.chat().completions().createStreaming(params)) {
            events.stream().forEach(chunk -> {
                chunk.usage().ifPresent(u -> withUsage[0]++);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
            });
        }
        return Map.entry(withUsage[0], text.toString());
    }

    /** {@code POST /v1/responses}; a stream's usage is in {@code response.completed}. */
    public static SeenUsage responses(OpenAIClient client, String model, Long maxOutputTokens, boolean stream) {
        ResponseCreateParams.Builder b = ResponseCreateParams.builder().model(model)
                .instructions("You are a careful assistant.").input("Summarise the cached document.");
        if (maxOutputTokens != null) {
            b.maxOutputTokens(maxOutputTokens);
        }
        Response response;
        if (stream) {
            Response[] completed = {null};
            try (com.openai.core.http.StreamResponse<ResponseStreamEvent> events = client.responses().createStreaming(b.build())) {
                events.stream().forEach(e -> e.completed().ifPresent(c -> completed[0] = c.response()));
            }
            if (completed[0] == null) {
                throw new AssertionError("the stream had no response.completed event");
            }
            response = completed[0];
        } else {
            response = client.responses().create(b.build());
        }
        var u = response.usage().orElseThrow();
        return new SeenUsage(u.inputTokens(), u.inputTokensDetails().cachedTokens(), u.outputTokens());
    }

    /**
     * new-api's default value of a pricing option with entries added (names it does not have), as compact JSON; the
     * values are JSON number literals written as given ({@code "0.00000008"}), so that they stay exact.
     */
    public static String defaultsWith(String key, Map<String, String> entries) {
        String json = PricingConfig.defaults().json(key);
        StringBuilder sb = new StringBuilder(json.substring(0, json.length() - 1));
        boolean first = json.equals("{}");
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (json.contains("\"" + e.getKey() + "\":")) {
                throw new IllegalArgumentException(key + " already has a default for " + e.getKey());
            }
            sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
            first = false;
        }
        return sb.append('}').toString();
    }

    /** new-api's default value of a pricing option, as compact JSON. */
    public static String defaults(String key) {
        return PricingConfig.defaults().json(key);
    }
}
