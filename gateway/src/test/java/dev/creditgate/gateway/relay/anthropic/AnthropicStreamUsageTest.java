package dev.creditgate.gateway.relay.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class AnthropicStreamUsageTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static void send(AnthropicRelay.StreamUsage usage, String event, String data) {
        usage.onEvent(event, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void inputFromMessageStartWithCacheTokensOutputFromTheLastMessageDeltaTextFromTheDeltas() {
        AnthropicRelay.StreamUsage usage = new AnthropicRelay.StreamUsage(JSON);
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

        assertThat(usage.input()).isEqualTo(15);
        assertThat(usage.output()).isEqualTo(42);
        assertThat(usage.text()).isEqualTo("Hm. Hello{\"a\":");
    }

    @Test
    void withoutMessageDeltaUsageTheOutputIsUnknownNotMessageStartsPlaceholder() {
        AnthropicRelay.StreamUsage usage = new AnthropicRelay.StreamUsage(JSON);
        send(usage, "message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}");
        send(usage, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}");

        assertThat(usage.input()).isEqualTo(7);
        assertThat(usage.output()).isNull();
    }

    @Test
    void eventsWithoutAnEventLineAreRecognisedByTheirTypeAndGarbageIsIgnored() {
        AnthropicRelay.StreamUsage usage = new AnthropicRelay.StreamUsage(JSON);
        send(usage, null, "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}");
        send(usage, "content_block_delta", "{not json");
        usage.onEvent("message_delta", null);
        send(usage, null, "{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":4,\"output_tokens\":2}}");

        assertThat(usage.text()).isEqualTo("x");
        assertThat(usage.input()).isEqualTo(4); // a message_delta that reports the input counts too
        assertThat(usage.output()).isEqualTo(2);
    }

    @Test
    void clientVersionHeadersAreForwardedOnlyWhenTheyArePlainValues() {
        AnthropicRelay relay = new AnthropicRelay(JSON, null);
        assertThat(relay.forClient(null, null).version()).isEqualTo(AnthropicRelay.DEFAULT_VERSION);
        assertThat(relay.forClient(" 2023-01-01 ", "a,b").version()).isEqualTo("2023-01-01");
        assertThat(relay.forClient(" 2023-01-01 ", "a,b").beta()).isEqualTo("a,b");
        assertThat(relay.forClient("bad\u0001", "x".repeat(2000)).version()).isEqualTo(AnthropicRelay.DEFAULT_VERSION);
        assertThat(relay.forClient("bad\u0001", "x".repeat(2000)).beta()).isNull();
    }
}
