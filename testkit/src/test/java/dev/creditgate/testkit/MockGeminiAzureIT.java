package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The Gemini and Azure OpenAI faces: answers, usage (cache, thoughts), streams, output limits, keys and faults. */
class MockGeminiAzureIT {

    static final String GEMINI = "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},"
            + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello there, mock\"}]}]}";
    static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    static MockUpstream mock;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start();
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    @Test
    void generateContentReportsCachedAndThoughtsTokens() {
        mock.usage(100, 5).cacheTokens(40, 0, 0).thoughtsTokens(7);

        HttpResponse<String> r = Http.post(mock, "/v1beta/models/gemini-2.5-flash:generateContent", GEMINI);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Http.json(r.body());
        assertThat(body.at("/candidates/0/content/parts/0/text").asString()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(body.at("/candidates/0/finishReason").asString()).isEqualTo("STOP");
        assertThat(body.path("modelVersion").asString()).isEqualTo("gemini-2.5-flash");
        JsonNode usage = body.path("usageMetadata");
        assertThat(usage.path("promptTokenCount").asLong()).isEqualTo(100);
        assertThat(usage.path("candidatesTokenCount").asLong()).isEqualTo(5);
        assertThat(usage.path("cachedContentTokenCount").asLong()).isEqualTo(40);
        assertThat(usage.path("thoughtsTokenCount").asLong()).isEqualTo(7);
        assertThat(usage.path("totalTokenCount").asLong()).isEqualTo(112);
    }

    @Test
    void promptTokensCountSystemInstructionAndContentsAndMaxOutputTokensCaps() {
        // "Be brief." (9) + "Hello there, mock" (17) = 26 chars -> 7 tokens
        assertThat(MockUpstream.promptTokensFor(GEMINI)).isEqualTo(7);
        String capped = "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"generationConfig\":{\"maxOutputTokens\":2}}";

        JsonNode body = Http.json(Http.post(mock, "/v1/models/m:generateContent", capped).body());

        assertThat(body.at("/candidates/0/content/parts/0/text").asString()).isEqualTo("Hello from");
        assertThat(body.at("/candidates/0/finishReason").asString()).isEqualTo("MAX_TOKENS");
        assertThat(body.at("/usageMetadata/candidatesTokenCount").asLong()).isEqualTo(2);
    }

    @Test
    void streamGenerateContentAsSseOrAsAJsonArray() {
        mock.usage(10, 5);

        HttpResponse<String> sse = Http.post(mock, "/v1beta/models/m:streamGenerateContent?alt=sse", GEMINI);
        assertThat(sse.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        List<JsonNode> events = MockCacheTokensIT.events(sse.body());
        assertThat(events).hasSize(5);
        assertThat(events.getFirst().at("/usageMetadata/candidatesTokenCount").isMissingNode()).isTrue();
        assertThat(events.getLast().at("/candidates/0/finishReason").asString()).isEqualTo("STOP");
        assertThat(events.getLast().at("/usageMetadata/candidatesTokenCount").asLong()).isEqualTo(5);

        JsonNode array = Http.json(Http.post(mock, "/v1beta/models/m:streamGenerateContent", GEMINI).body());
        assertThat(array.isArray()).isTrue();
        assertThat(array.size()).isEqualTo(5);
        assertThat(mock.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void keysFaultsAndBadRequestsInGooglesShape() {
        mock.apiKey("goog-key");
        HttpResponse<String> noKey = Http.post(mock, "/v1beta/models/m:generateContent", GEMINI);
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(Http.json(noKey.body()).at("/error/status").asString()).isEqualTo("INVALID_ARGUMENT");
        assertThat(Http.post(mock, "/v1beta/models/m:generateContent?key=goog-key", GEMINI).statusCode())
                .isEqualTo(200);
        assertThat(Http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1beta/models/m:generateContent"))
                .header("x-goog-api-key", "goog-key").POST(HttpRequest.BodyPublishers.ofString(GEMINI)).build())
                .statusCode()).isEqualTo(200);
        mock.apiKey(null);

        mock.failNext(1, 429);
        JsonNode error = Http.json(Http.post(mock, "/v1beta/models/m:generateContent", GEMINI).body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(429);
        assertThat(error.path("status").asString()).isEqualTo("RESOURCE_EXHAUSTED");
        HttpResponse<String> noContents = Http.post(mock, "/v1beta/models/m:generateContent", "{}");
        assertThat(noContents.statusCode()).isEqualTo(400);
        assertThat(Http.json(noContents.body()).at("/error/code").asInt()).isEqualTo(400);
        assertThat(Http.json(Http.get(mock, "/v1beta/models").body()).at("/models/0/name").asString())
                .isEqualTo("models/" + MockUpstream.DEFAULT_MODELS.getFirst());

        assertThat(Http.post(mock, "/_mock/config", "{\"thoughtsTokens\":3}").statusCode()).isEqualTo(200);
        assertThat(Http.json(Http.get(mock, "/_mock/config").body()).path("thoughtsTokens").asLong()).isEqualTo(3);
        assertThat(Http.json(Http.post(mock, "/v1beta/models/m:generateContent", GEMINI).body())
                .at("/usageMetadata/thoughtsTokenCount").asLong()).isEqualTo(3);
        assertThat(Http.post(mock, "/_mock/config", "{\"thoughtsTokens\":-1}").statusCode()).isEqualTo(400);
    }

    @Test
    void azureDeploymentsAnswerInOpenAisShapeWithTheDeploymentAsModel() {
        mock.apiKey("azure-key").usage(3, 2);
        String path = "/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21";

        HttpResponse<String> noKey = Http.post(mock, path, CHAT);
        assertThat(noKey.statusCode()).isEqualTo(401);
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                .header("api-key", "azure-key").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Http.json(r.body());
        assertThat(body.path("model").asString()).isEqualTo("my-deployment");
        assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(5);
        assertThat(mock.calls("/openai/deployments/my-deployment/chat/completions")).isEqualTo(2);

        mock.apiKey(null);
        HttpResponse<String> noVersion = Http.post(mock, "/openai/deployments/d/embeddings", "{\"input\":\"x\"}");
        assertThat(noVersion.statusCode()).isEqualTo(400);
        assertThat(noVersion.body()).contains("api-version");
        JsonNode embeddings = Http.json(Http.post(mock, "/openai/deployments/d/embeddings?api-version=1",
                "{\"input\":\"x\"}").body());
        assertThat(embeddings.path("data").size()).isEqualTo(1);
    }
}
