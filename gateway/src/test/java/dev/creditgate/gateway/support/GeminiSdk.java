package dev.creditgate.gateway.support;

import java.util.Map;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;

/** The official Google Gen AI Java SDK pointed at a gateway, and the calls the Gemini tests make with it. */
public final class GeminiSdk {

    /** What the SDK saw of one answer: its text and its {@code usageMetadata}. */
    public record Seen(String text, int prompt, int cached, int candidates, int thoughts) {
    }

    private GeminiSdk() {
    }

    /** A client for the Gemini API ({@code v1beta}) at {@code baseUrl}, with no retries (a test counts the calls). */
    public static Client client(String baseUrl, String key) {
        return client(baseUrl, key, "v1beta", Map.of());
    }

    public static Client client(String baseUrl, String key, String apiVersion, Map<String, String> headers) {
        return Client.builder().apiKey(key).httpOptions(HttpOptions.builder().baseUrl(baseUrl).apiVersion(apiVersion)
                .headers(headers).retryOptions(HttpRetryOptions.builder().attempts(1).build()).build()).build();
    }

    /** {@code generateContent}, or {@code generateContentStream} with the chunks' text joined and the last usage. */
    public static Seen generate(Client client, String model, boolean stream) {
        return generate(client, model, stream, null);
    }

    public static Seen generate(Client client, String model, boolean stream, Integer maxOutputTokens) {
        GenerateContentConfig config = maxOutputTokens == null ? null
                : GenerateContentConfig.builder().maxOutputTokens(maxOutputTokens).build();
        if (!stream) {
            GenerateContentResponse r = client.models.generateContent(model, "Say hello to the gateway.", config);
            return seen(r.text(), r);
        }
        StringBuilder text = new StringBuilder();
        GenerateContentResponse last = null;
        try (ResponseStream<GenerateContentResponse> chunks =
                     client.models.generateContentStream(model, "Say hello to the gateway.", config)) {
            for (GenerateContentResponse chunk : chunks) {
                String t = chunk.text();
                if (t != null) {
                    text.append(t);
                }
                last = chunk;
            }
        }
        if (last == null) {
            throw new AssertionError("the stream had no chunk");
        }
        return seen(text.toString(), last);
    }

    private static Seen seen(String text, GenerateContentResponse r) {
        GenerateContentResponseUsageMetadata u = r.usageMetadata().orElseThrow();
        return new Seen(text, u.promptTokenCount().orElse(0), u.cachedContentTokenCount().orElse(0),
                u.candidatesTokenCount().orElse(0), u.thoughtsTokenCount().orElse(0));
    }
}
