package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.support.PricedGateway;
import dev.creditgate.gateway.support.PricedGateway.Token;
import dev.creditgate.gateway.support.SdkCalls;
import dev.creditgate.gateway.support.SdkCalls.SeenUsage;
import dev.creditgate.testkit.MockUpstream;
import dev.creditgate.testkit.RecordedRequest;
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
 * {@code azure} channels (Azure OpenAI deployments) serving the OpenAI routes, through the official openai-java SDK,
 * billed for a NATIVE token: the deployment comes from the channel's {@code model_mapping} (else the model's name),
 * the api-version from its {@code other} (else the default), the key in {@code api-key}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AzureRelayIT {

    static final String MODEL = "gpt-azure";
    static final String UNMAPPED = "gpt-azure-plain";
    static final String EMBEDDING = "embedding-azure";
    static final long START = 1_000_000;

    PricedGateway g;
    MockUpstream mock;
    OpenAIClient client;
    Token token;

    @BeforeAll
    void start() {
        mock = MockUpstream.start();
        g = new PricedGateway(MODEL, UNMAPPED, EMBEDDING);
        PricedGateway.ok(g.gw().admin("PUT", "/api/option/", json("key", PricingConfig.CACHE_RATIO,
                "value", "{\"" + MODEL + "\":0.5}")));
        PricedGateway.ok(g.gw().admin("POST", "/api/channel/", json("name", "azure", "type", "azure",
                "base_url", mock.baseUrl(), "key", "azure-upstream-key", "models", MODEL + "," + EMBEDDING,
                "model_mapping", Map.of(MODEL, "my-gpt-deployment", EMBEDDING, "my-embedding"),
                "other", "2024-10-21")));
        PricedGateway.ok(g.gw().admin("POST", "/api/channel/", json("name", "azure-defaults", "type", "3",
                "base_url", mock.baseUrl(), "key", "azure-upstream-key", "models", UNMAPPED)));
    }

    @BeforeEach
    void reset() {
        mock.reset();
        mock.apiKey("azure-upstream-key");
        token = g.userWithToken(START);
        client = SdkCalls.openai(g.baseUrl(), token.key());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @AfterAll
    void stop() {
        if (g != null) {
            g.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    @ParameterizedTest(name = "{0}, stream {1}")
    @CsvSource({"chat, false", "chat, true", "responses, false", "responses, true"})
    void theOpenAiSdkIsServedByAnAzureDeploymentAndBilledExactly(String api, boolean stream) {
        mock.usage(11_100, 6).cacheTokens(10_000, 0, 0);

        SeenUsage seen = api.equals("chat") ? SdkCalls.chat(client, MODEL, null, stream)
                : SdkCalls.responses(client, MODEL, null, stream);

        assertThat(seen).isEqualTo(new SeenUsage(11_100, 10_000, 6));
        RecordedRequest upstream = mock.lastRequest();
        assertThat(upstream.path()).isEqualTo("/openai/deployments/my-gpt-deployment/"
                + (api.equals("chat") ? "chat/completions" : "responses"));
        assertThat(upstream.query()).isEqualTo("api-version=2024-10-21");
        assertThat(upstream.header("api-key")).isEqualTo("azure-upstream-key");
        assertThat(upstream.header("authorization")).as("the client's key is not sent upstream").isNull();
        // 1,100 uncached + 10,000 x 0.5 + 6 x 4
        JsonNode row = g.consumeRows(token, 1).getFirst();
        assertThat(row.path("model_name").asString()).isEqualTo(MODEL);
        assertThat(row.path("is_stream").asBoolean()).isEqualTo(stream);
        assertThat(row.path("quota").asLong()).isEqualTo(6_124);
        assertThat(g.userQuota(token)).isEqualTo(START - 6_124);
    }

    @Test
    void embeddingsAndTheDefaultApiVersions() {
        mock.usage(7, 0);

        CreateEmbeddingResponse embeddings = client.embeddings().create(EmbeddingCreateParams.builder()
                .model(EMBEDDING).input("embed me").build());

        assertThat(embeddings.data()).hasSize(1);
        assertThat(mock.lastRequest().path()).isEqualTo("/openai/deployments/my-embedding/embeddings");
        assertThat(g.consumeRows(token, 1).getFirst().path("quota").asLong()).isEqualTo(7);

        mock.usage(10, 2);
        SdkCalls.chat(client, UNMAPPED, null, false);
        assertThat(mock.lastRequest().path()).as("no mapping: the deployment is named like the model")
                .isEqualTo("/openai/deployments/" + UNMAPPED + "/chat/completions");
        assertThat(mock.lastRequest().query()).isEqualTo("api-version=" + "2024-10-21");
        SdkCalls.responses(client, UNMAPPED, null, false);
        assertThat(mock.lastRequest().query()).as("Responses needs a preview api-version on Azure")
                .isEqualTo("api-version=2025-04-01-preview");
        assertThat(g.consumeRows(token, 3)).hasSize(3);
    }

    @Test
    void upstreamErrorsPassThroughAndBadChannelSettingsAreRefused() {
        mock.failNext(1, 400);
        assertThatThrownBy(() -> SdkCalls.chat(client, MODEL, null, false))
                .isInstanceOf(BadRequestException.class);
        g.awaitUserQuota(token, START); // the reservation is returned by the log writer's next batch
        assertThat(g.userQuota(token)).isEqualTo(START);

        var bad = g.gw().admin("POST", "/api/channel/", json("name", "x", "type", "azure", "base_url",
                mock.baseUrl(), "key", "k", "models", "m", "other", "2024-10-21&evil=1"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("other");
        var badType = g.gw().admin("POST", "/api/channel/", json("name", "x", "type", "vertex", "base_url",
                mock.baseUrl(), "key", "k", "models", "m"));
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.body()).contains("gemini").contains("azure");
    }
}
