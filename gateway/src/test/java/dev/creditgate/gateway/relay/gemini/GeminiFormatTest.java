package dev.creditgate.gateway.relay.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.pricing.MaxTokens;
import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.relay.Exchanges;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class GeminiFormatTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final GeminiFormat FORMAT = new GeminiFormat(JSON);
    static final Channel CHANNEL = new Channel(1, Channel.TYPE_GEMINI, "g", "http://u", "k", List.of("m"),
            Map.of("m", "gemini-2.5-pro"), 0, 1, 1, 0, 0);
    static final String BODY = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";

    @Test
    void thoughtsTokensAreOutputAndCachedContentIsTheCachedPartOfThePrompt() {
        ReportedUsage usage = FORMAT.usage(JSON.readTree("""
                {"candidates":[],"usageMetadata":{"promptTokenCount":11100,"candidatesTokenCount":6,
                "cachedContentTokenCount":10000,"thoughtsTokenCount":20,"totalTokenCount":11126}}"""));

        assertThat(usage).isEqualTo(new ReportedUsage(11_100, 26, 11_126, new CacheTokens(10_000, 0, 0)));
    }

    @Test
    void withoutCandidatesAndThoughtsTheOutputIsTheTotalLessPromptAndToolUsePrompt() {
        assertThat(FORMAT.usage(JSON.readTree("""
                {"usageMetadata":{"promptTokenCount":10,"toolUsePromptTokenCount":3,"totalTokenCount":20}}""")))
                .isEqualTo(new ReportedUsage(10, 7, 20, CacheTokens.NONE));
        assertThat(FORMAT.usage(JSON.readTree("{\"candidates\":[]}"))).isEqualTo(ReportedUsage.NONE);
        assertThat(FORMAT.usage(JSON.readTree("""
                {"usageMetadata":{"promptTokenCount":5,"cachedContentTokenCount":9}}""")).cache())
                .as("never more cached than the prompt").isEqualTo(new CacheTokens(5, 0, 0));
    }

    @Test
    void aStreamsLargestCountsWinAndItsTextIsCollected() {
        GeminiFormat.Stream stream = new GeminiFormat.Stream(JSON);
        send(stream, """
                {"candidates":[{"content":{"parts":[{"text":"Let me think. ","thought":true}],"role":"model"}}],
                "usageMetadata":{"promptTokenCount":12,"totalTokenCount":12}}""");
        send(stream, """
                {"candidates":[{"content":{"parts":[{"text":"Hello"},{"functionCall":{"name":"f","args":{"a":1}}}],
                "role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":12,
                "candidatesTokenCount":4,"thoughtsTokenCount":8,"totalTokenCount":24}}""");
        byte[] comment = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
        assertThat(stream.onEvent(null, null, comment)).isSameAs(comment);

        assertThat(stream.usage()).isEqualTo(new ReportedUsage(12, 12, 24, CacheTokens.NONE));
        assertThat(stream.text()).isEqualTo("Let me think. Hello{\"name\":\"f\",\"args\":{\"a\":1}}");
    }

    @Test
    void aJsonArrayStreamIsReadChunkByChunk() {
        var answer = JSON.readTree("""
                [{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":3}},
                 {"candidates":[{"content":{"parts":[{"text":"b"}]}}],"usageMetadata":{"promptTokenCount":3,
                 "candidatesTokenCount":2,"totalTokenCount":5}}]""");

        assertThat(FORMAT.usage(answer)).isEqualTo(new ReportedUsage(3, 2, 5, CacheTokens.NONE));
        assertThat(FORMAT.text(answer)).isEqualTo("ab");
    }

    @Test
    void theOutputLimitGoesIntoGenerationConfigOtherwiseTheClientsBytesAreSent() {
        RelayExchange plain = Exchanges.of(EndpointKind.GEMINI, BODY, false, null);
        assertThat(FORMAT.upstreamBody(plain, CHANNEL)).as("the model is in the URL: mapping leaves the body")
                .isSameAs(plain.rawBody());

        RelayExchange limited = Exchanges.of(EndpointKind.GEMINI, BODY, false, 300);
        assertThat(JSON.readTree(FORMAT.upstreamBody(limited, CHANNEL)).path("generationConfig")
                .path("maxOutputTokens").asInt()).isEqualTo(300);

        String withConfig = "{\"contents\":[],\"generationConfig\":{\"temperature\":0.5,\"maxOutputTokens\":900}}";
        var copy = JSON.readTree(FORMAT.upstreamBody(Exchanges.of(EndpointKind.GEMINI, withConfig, false, 300),
                CHANNEL));
        assertThat(copy.path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(300);
        assertThat(copy.path("generationConfig").path("temperature").asDouble()).isEqualTo(0.5);
    }

    @Test
    void maxOutputTokensIsTheRequestsLimitAndBadValuesAreNamed() {
        assertThat(MaxTokens.gemini(JSON.readTree("{\"generationConfig\":{\"maxOutputTokens\":64}}"))).isEqualTo(64);
        assertThat(MaxTokens.gemini(JSON.readTree("{\"generationConfig\":{}}"))).isNull();
        assertThat(MaxTokens.gemini(JSON.readTree("{\"max_tokens\":5}"))).as("not a Gemini field").isNull();
        assertThatThrownBy(() -> MaxTokens.gemini(JSON.readTree("{\"generationConfig\":{\"maxOutputTokens\":-1}}")))
                .hasMessage("generationConfig.maxOutputTokens: -1 (expected: >= 1)");
        assertThatThrownBy(() -> MaxTokens.gemini(JSON.readTree("{\"generationConfig\":{\"maxOutputTokens\":\"x\"}}")))
                .hasMessageStartingWith("generationConfig.maxOutputTokens: \"x\"");
    }

    @Test
    void promptTokensCountSystemInstructionContentsAndTools() {
        TokenCounter counter = TokenCounter.shared();
        int text = counter.countText("gemini-2.5-flash", "You are terse.") + counter.countText("gemini-2.5-flash", "hi");
        assertThat(counter.countGeminiContents("gemini-2.5-flash", JSON.readTree("""
                {"systemInstruction":{"parts":[{"text":"You are terse."}]},
                 "contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""))).isEqualTo(text);
        assertThat(counter.countGeminiContents("gemini-2.5-flash", JSON.readTree("""
                {"contents":[{"role":"user","parts":[{"text":"hi"},{"inlineData":{"mimeType":"image/png","data":"AA"}}]}],
                 "tools":[{"functionDeclarations":[{"name":"lookup"}]}]}""")))
                .isGreaterThan(counter.countText("gemini-2.5-flash", "hi") + TokenCounter.GEMINI_MEDIA_TOKENS);
    }

    private static void send(GeminiFormat.Stream stream, String data) {
        String oneLine = data.replace("\n", "");
        byte[] raw = ("data: " + oneLine + "\n\n").getBytes(StandardCharsets.UTF_8);
        assertThat(stream.onEvent(null, oneLine.getBytes(StandardCharsets.UTF_8), raw)).isSameAs(raw);
    }
}
