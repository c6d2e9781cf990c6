package dev.creditgate.gateway.relay.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.relay.Exchanges;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ChatFormatTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final ChatFormat CHAT = ChatFormat.chat(JSON);
    static final ChatFormat EMBEDDINGS = ChatFormat.embeddings(JSON);
    static final Channel CHANNEL = channel(Map.of());

    static Channel channel(Map<String, String> mapping) {
        return new Channel(1, Channel.TYPE_OPENAI, "c", "http://u", "k", List.of("m"), mapping, 0, 1, 1, 0, 0);
    }

    static JsonNode upstream(ChatFormat format, String body, boolean stream, Integer limit) {
        return JSON.readTree(format.upstreamBody(Exchanges.of(EndpointKind.CHAT_COMPLETIONS, body, stream, limit), CHANNEL));
    }

    static String relay(ChatFormat.Stream stream, String data) {
        byte[] raw = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
        byte[] sent = stream.onEvent(null, data.getBytes(StandardCharsets.UTF_8), raw);
        return sent == null ? null : new String(sent, StandardCharsets.UTF_8);
    }

    @Test
    void withNothingToChangeTheBodyGoesByteForByte() {
        String body = "{\"model\":\"m\",  \"max_tokens\":10, \"messages\":[]}";
        RelayExchange ex = Exchanges.of(EndpointKind.CHAT_COMPLETIONS, body, false, null);
        assertThat(CHAT.upstreamBody(ex, CHANNEL)).isSameAs(ex.rawBody());
        RelayExchange sameLimit = Exchanges.of(EndpointKind.CHAT_COMPLETIONS, body, false, 10);
        assertThat(CHAT.upstreamBody(sameLimit, CHANNEL)).isSameAs(sameLimit.rawBody());
        RelayExchange embeddings = Exchanges.of(EndpointKind.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\"}", false, 10);
        assertThat(EMBEDDINGS.upstreamBody(embeddings, CHANNEL)).isSameAs(embeddings.rawBody()); // never a limit
    }

    @Test
    void theOutputLimitGoesWhereTheClientPutItMaxTokensByDefaultBothWhenBoth() {
        assertThat(upstream(CHAT, "{\"model\":\"m\",\"messages\":[]}", false, 100))
                .isEqualTo(JSON.readTree("{\"model\":\"m\",\"messages\":[],\"max_tokens\":100}"));
        assertThat(upstream(CHAT, "{\"model\":\"m\",\"max_completion_tokens\":5000}", false, 100))
                .isEqualTo(JSON.readTree("{\"model\":\"m\",\"max_completion_tokens\":100}"));
        assertThat(upstream(CHAT, "{\"model\":\"m\",\"max_tokens\":5000}", false, 100))
                .isEqualTo(JSON.readTree("{\"model\":\"m\",\"max_tokens\":100}"));
        assertThat(upstream(CHAT, "{\"model\":\"m\",\"max_tokens\":5000,\"max_completion_tokens\":6000}", false, 100))
                .isEqualTo(JSON.readTree("{\"model\":\"m\",\"max_tokens\":100,\"max_completion_tokens\":100}"));
    }

    @Test
    void aStreamForcesIncludeUsageAndTheModelIsMapped() {
        RelayExchange ex = Exchanges.of(EndpointKind.CHAT_COMPLETIONS,
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"x\":1}}", true, 64);
        assertThat(JSON.readTree(CHAT.upstreamBody(ex, channel(Map.of("m", "gpt-up"))))).isEqualTo(JSON.readTree(
                "{\"model\":\"gpt-up\",\"stream\":true,\"stream_options\":{\"x\":1,\"include_usage\":true},\"max_tokens\":64}"));
        RelayExchange asked = Exchanges.of(EndpointKind.CHAT_COMPLETIONS,
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", true, null);
        assertThat(CHAT.upstreamBody(asked, CHANNEL)).isSameAs(asked.rawBody());
    }

    @Test
    void usageIncludesCachedTokensAsReads() {
        assertThat(CHAT.usage(JSON.readTree("""
                {"choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":10,"total_tokens":2010,\
                "prompt_tokens_details":{"cached_tokens":1920}}}""")))
                .isEqualTo(new ReportedUsage(2000, 10, 2010, new CacheTokens(1920, 0, 0)));
        assertThat(EMBEDDINGS.usage(JSON.readTree("{\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}")))
                .isEqualTo(new ReportedUsage(4, null, 4, CacheTokens.NONE));
        assertThat(CHAT.usage(JSON.readTree("{\"choices\":[]}"))).isEqualTo(ReportedUsage.NONE);
        assertThat(CHAT.text(JSON.readTree("""
                {"choices":[{"message":{"content":"Hi","tool_calls":[{"function":{"arguments":"{}"}}]}}]}""")))
                .isEqualTo("Hi{}");
    }

    @Test
    void aClientThatDidNotAskForUsageDoesNotSeeItButItIsRead() {
        ChatFormat.Stream stream = new ChatFormat.Stream(JSON, false);
        String chunk = "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}";
        assertThat(relay(stream, chunk)).isEqualTo("data: " + chunk + "\n\n");
        // usage together with choices: the usage is stripped, the choices are relayed
        String withBoth = relay(stream, "{\"choices\":[{\"delta\":{\"content\":\"!\"}}],\"usage\":{\"prompt_tokens\":1}}");
        assertThat(withBoth).isEqualTo("data: {\"choices\":[{\"delta\":{\"content\":\"!\"}}]}\n\n");
        assertThat(relay(stream, """
                {"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":2,"total_tokens":32,\
                "prompt_tokens_details":{"cached_tokens":8}}}""")).isNull(); // the usage-only chunk: hidden
        assertThat(relay(stream, "[DONE]")).isEqualTo("data: [DONE]\n\n");

        assertThat(stream.usage()).isEqualTo(new ReportedUsage(30, 2, 32, new CacheTokens(8, 0, 0)));
        assertThat(stream.text()).isEqualTo("Hi!");
    }

    @Test
    void aClientThatAskedForUsageGetsEveryChunkAsItCame() {
        ChatFormat.Stream stream = new ChatFormat.Stream(JSON, true);
        String usage = "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
        assertThat(relay(stream, usage)).isEqualTo("data: " + usage + "\n\n");
        assertThat(stream.usage()).isEqualTo(new ReportedUsage(3, 1, 4, CacheTokens.NONE));
    }
}
