package dev.creditgate.gateway.relay.anthropic;

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
import tools.jackson.databind.json.JsonMapper;

class MessagesFormatTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final MessagesFormat FORMAT = new MessagesFormat(JSON);

    static void send(MessagesFormat.Stream usage, String event, String data) {
        byte[] raw = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
        assertThat(usage.onEvent(event, data.getBytes(StandardCharsets.UTF_8), raw)).isSameAs(raw); // all relayed
    }

    static Channel channel(Map<String, String> mapping) {
        return new Channel(1, Channel.TYPE_ANTHROPIC, "c", "http://u", "k", List.of("m"), mapping, 0, 1, 1, 0, 0);
    }

    @Test
    void inputFromMessageStartWithCacheTokensOutputFromTheLastMessageDeltaTextFromTheDeltas() {
        MessagesFormat.Stream usage = new MessagesFormat.Stream(JSON);
        send(usage, "message_start", """
                {"type":"message_start","message":{"id":"m","usage":{"input_tokens":10,\
                "cache_creation_input_tokens":3,"cache_read_input_tokens":2,"output_tokens":1}}}""");
        send(usage, "ping", "{\"type\":\"ping\"}");
        send(usage, "content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hm. "}}""");
        send(usage, "content_block_delta", """
                {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}}""");
        send(usage, "content_block_delta", """
                {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":"}}""");
        send(usage, "message_delta", "{\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":20}}");
        send(usage, "message_delta", "{\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":42}}");

        assertThat(usage.usage()).isEqualTo(new ReportedUsage(15, 42, 57, new CacheTokens(2, 3, 0)));
        assertThat(usage.text()).isEqualTo("Hm. Hello{\"a\":");
    }

    @Test
    void cacheTokensOfAStreamComeFromMessageStartAndFromAMessageDeltaThatRepeatsThemLarger() {
        MessagesFormat.Stream usage = new MessagesFormat.Stream(JSON);
        send(usage, "message_start", """
                {"type":"message_start","message":{"usage":{"input_tokens":100,"cache_read_input_tokens":10000,\
                "cache_creation_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":400,\
                "ephemeral_1h_input_tokens":600},"output_tokens":1}}}""");
        assertThat(usage.usage()).isEqualTo(new ReportedUsage(11_100, null, null, new CacheTokens(10_000, 400, 600)));

        // a message_delta that repeats only the uncached input keeps the cache counts of message_start
        send(usage, "message_delta", "{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":100,\"output_tokens\":5}}");
        assertThat(usage.usage()).isEqualTo(new ReportedUsage(11_100, 5, 11_105, new CacheTokens(10_000, 400, 600)));

        // cumulative counts: the larger wins
        send(usage, "message_delta", """
                {"type":"message_delta","usage":{"input_tokens":100,"cache_read_input_tokens":10000,\
                "cache_creation_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":900},\
                "output_tokens":9}}""");
        assertThat(usage.usage()).isEqualTo(new ReportedUsage(11_600, 9, 11_609, new CacheTokens(10_000, 600, 900)));
    }

    @Test
    void aWholeAnswersInputIncludesItsCacheTokens() {
        ReportedUsage usage = FORMAT.usage(JSON.readTree("""
                {"content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":100,"cache_read_input_tokens":10000,\
                "cache_creation_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":0,\
                "ephemeral_1h_input_tokens":1000},"output_tokens":7}}"""));
        assertThat(usage).isEqualTo(new ReportedUsage(11_100, 7, 11_107, new CacheTokens(10_000, 0, 1000)));

        assertThat(FORMAT.usage(JSON.readTree("{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}")))
                .isEqualTo(new ReportedUsage(5, 1, 6, CacheTokens.NONE));
        assertThat(FORMAT.usage(JSON.readTree("{\"content\":[]}"))).isEqualTo(ReportedUsage.NONE);
        assertThat(FORMAT.text(JSON.readTree("""
                {"content":[{"type":"thinking","thinking":"hm "},{"type":"text","text":"Hi"},\
                {"type":"tool_use","input":{"a":1}}]}"""))).isEqualTo("hm Hi{\"a\":1}");
    }

    @Test
    void withoutMessageDeltaUsageTheOutputIsUnknownNotMessageStartsPlaceholder() {
        MessagesFormat.Stream usage = new MessagesFormat.Stream(JSON);
        send(usage, "message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}");
        send(usage, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}");

        assertThat(usage.usage().prompt()).isEqualTo(7);
        assertThat(usage.usage().completion()).isNull();
    }

    @Test
    void eventsWithoutAnEventLineAreRecognisedByTheirTypeAndGarbageIsIgnored() {
        MessagesFormat.Stream usage = new MessagesFormat.Stream(JSON);
        send(usage, null, "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}");
        send(usage, "content_block_delta", "{not json");
        assertThat(usage.onEvent("message_delta", null, new byte[] {'\n'})).containsExactly('\n');
        send(usage, null, "{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":4,\"output_tokens\":2}}");

        assertThat(usage.text()).isEqualTo("x");
        assertThat(usage.usage().prompt()).isEqualTo(4); // a message_delta that reports the input counts too
        assertThat(usage.usage().completion()).isEqualTo(2);
    }

    @Test
    void theOutputLimitReplacesTheClientsMaxTokensOtherwiseTheBodyGoesByteForByte() {
        String body = "{\"model\":\"m\",  \"max_tokens\":4096,\"messages\":[]}";
        RelayExchange plain = Exchanges.of(EndpointKind.MESSAGES, body, false, null);
        assertThat(FORMAT.upstreamBody(plain, channel(Map.of()))).isSameAs(plain.rawBody());

        RelayExchange same = Exchanges.of(EndpointKind.MESSAGES, body, false, 4096);
        assertThat(FORMAT.upstreamBody(same, channel(Map.of()))).isSameAs(same.rawBody()); // nothing to change

        RelayExchange limited = Exchanges.of(EndpointKind.MESSAGES, body, true, 300);
        assertThat(JSON.readTree(FORMAT.upstreamBody(limited, channel(Map.of("m", "claude-up")))))
                .isEqualTo(JSON.readTree("{\"model\":\"claude-up\",\"max_tokens\":300,\"messages\":[]}"));
    }

    @Test
    void clientVersionHeadersAreForwardedOnlyWhenTheyArePlainValues() {
        AnthropicRelay relay = new AnthropicRelay(JSON);
        assertThat(relay.forClient(null, null).version()).isEqualTo(AnthropicRelay.DEFAULT_VERSION);
        assertThat(relay.forClient(" 2023-01-01 ", "a,b").version()).isEqualTo("2023-01-01");
        assertThat(relay.forClient(" 2023-01-01 ", "a,b").beta()).isEqualTo("a,b");
        assertThat(relay.forClient("bad\u0001", "x".repeat(2000)).version()).isEqualTo(AnthropicRelay.DEFAULT_VERSION);
        assertThat(relay.forClient("bad\u0001", "x".repeat(2000)).beta()).isNull();
    }
}
