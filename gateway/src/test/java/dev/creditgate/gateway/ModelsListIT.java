package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.models.ModelInfo;
import com.google.genai.Client;
import com.google.genai.types.ListModelsConfig;
import com.google.genai.types.Model;
import com.openai.client.OpenAIClient;
import dev.creditgate.gateway.support.GeminiSdk;
import dev.creditgate.gateway.support.PricedGateway;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.SdkCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/models} lists the models of every channel type the key may use, in OpenAI's shape for the OpenAI SDK,
 * in Anthropic's for the Anthropic SDK ({@code anthropic-version}, {@code x-api-key}); {@code GET /v1beta/models} in
 * Google's for the Google Gen AI SDK. Model limits filter every shape; disabled channels are not listed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsListIT {

    static final List<String> ALL = List.of("claude-listed", "gemini-listed", "gpt-azure-listed", "gpt-listed");

    PricedGateway g;
    String key;
    String limited;

    @BeforeAll
    void start() {
        g = new PricedGateway();
        String base = "http://127.0.0.1:9";
        g.channel("openai", "openai", base, "k", "gpt-listed", 0);
        g.channel("anthropic", "anthropic", base, "k", "claude-listed", 0);
        g.channel("gemini", "gemini", base, "k", "gemini-listed", 0);
        g.channel("azure", "azure", base, "k", "gpt-azure-listed", 0);
        PricedGateway.ok(g.gw().admin("POST", "/api/channel/", json("name", "off", "type", "openai", "base_url", base,
                "key", "k", "models", "disabled-model", "status", 2)));
        key = g.userWithToken(1_000).key();
        limited = PricedGateway.ok(g.gw().admin("POST", "/api/token/", json("name", "limited", "user_id",
                g.userWithToken(1_000).userId(), "unlimited_quota", true, "model_limits_enabled", true,
                "model_limits", "gemini-listed,claude-listed,not-served"))).data().path("key").asString();
    }

    @AfterAll
    void stop() {
        if (g != null) {
            g.close();
        }
    }

    @Test
    void openAiSdkListsEveryChannelTypesModels() {
        OpenAIClient sdk = SdkCalls.openai(g.baseUrl(), key);
        OpenAIClient limitedSdk = SdkCalls.openai(g.baseUrl(), limited);
        try {
            assertThat(sdk.models().list().data().stream().map(com.openai.models.models.Model::id).toList())
                    .containsExactlyElementsOf(ALL);
            assertThat(sdk.models().retrieve("claude-listed").id()).isEqualTo("claude-listed");
            assertThat(limitedSdk.models().list().data().stream().map(com.openai.models.models.Model::id).toList())
                    .containsExactly("claude-listed", "gemini-listed");
        } finally {
            sdk.close();
            limitedSdk.close();
        }
    }

    @Test
    void anthropicSdkGetsAnthropicsShape() {
        AnthropicClient sdk = SdkCalls.anthropic(g.baseUrl(), key);
        try {
            var page = sdk.models().list();
            assertThat(page.data().stream().map(ModelInfo::id).toList()).containsExactlyElementsOf(ALL);
            assertThat(page.hasMore()).contains(false);
            ModelInfo first = page.data().getFirst();
            assertThat(first.displayName()).isEqualTo("claude-listed");
            assertThat(first.createdAt()).isNotNull();
        } finally {
            sdk.close();
        }
        Answer raw = get("/v1/models", "x-api-key", limited);
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.json().path("first_id").asString()).isEqualTo("claude-listed");
        assertThat(raw.json().path("last_id").asString()).isEqualTo("gemini-listed");
        assertThat(raw.json().path("data").path(0).path("type").asString()).isEqualTo("model");

        Answer bad = get("/v1/models", "x-api-key", "sk-wrong", "anthropic-version", "2023-06-01");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.json().path("type").asString()).isEqualTo("error");
        assertThat(bad.json().path("error").path("type").asString()).isEqualTo("authentication_error");
    }

    @Test
    void googleSdkListsModelsInGooglesShape() {
        try (Client sdk = GeminiSdk.client(g.baseUrl(), limited)) {
            List<String> names = new ArrayList<>();
            for (Model m : sdk.models.list(ListModelsConfig.builder().build())) {
                names.add(m.name().orElseThrow());
                assertThat(m.supportedActions().orElseThrow()).contains("generateContent");
            }
            assertThat(names).containsExactly("models/claude-listed", "models/gemini-listed");
            assertThat(sdk.models.get("gemini-listed", null).displayName()).contains("gemini-listed");
        }
        Answer byQuery = get("/v1beta/models?key=" + key);
        assertThat(byQuery.status()).isEqualTo(200);
        assertThat(byQuery.json().path("models").size()).isEqualTo(ALL.size());
        Answer unknown = get("/v1beta/models/gpt-listed", "x-goog-api-key", limited);
        assertThat(unknown.status()).isEqualTo(404);
        JsonNode error = unknown.json().path("error");
        assertThat(error.path("status").asString()).isEqualTo("NOT_FOUND");
        assertThat(error.path("code").asInt()).isEqualTo(404);
    }

    /** A GET with the given headers (name, value, ...), as a client other than the OpenAI SDK sends it. */
    private Answer get(String path, String... headers) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(g.baseUrl() + path)).timeout(java.time.Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            var r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), RunningGateway.JSON.readTree(r.body()), r.body(), r.headers());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
