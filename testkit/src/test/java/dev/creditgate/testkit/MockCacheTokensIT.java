package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Cache tokens in every API's usage shape, {@code count_tokens}, and a stream cut before its first event. */
class MockCacheTokensIT {

    static final String CHAT_STREAM = MockUpstreamFaultsIT.CHAT_STREAM;
    static final String MESSAGES = MockUpstreamFaultsIT.MESSAGES;
    static final String MESSAGES_STREAM = MockUpstreamFaultsIT.MESSAGES_STREAM;
    static final String RESPONSES = "{\"model\":\"gpt-4o\",\"input\":\"hi\"}";

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

    /** The JSON payloads of an SSE body's {@code data:} lines (without {@code [DONE]}). */
    static List<JsonNode> events(String sse) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                out.add(Http.json(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    void anthropicReportsTheUncachedRestAsInputTokensAndTheCacheSplit() {
        mock.usage(1000, 5).cacheTokens(600, 100, 50);

        JsonNode usage = Http.json(Http.post(mock, "/v1/messages", MESSAGES).body()).get("usage");
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(250);
        assertThat(usage.get("cache_read_input_tokens").asLong()).isEqualTo(600);
        assertThat(usage.get("cache_creation_input_tokens").asLong()).isEqualTo(150);
        assertThat(usage.get("cache_creation").get("ephemeral_5m_input_tokens").asLong()).isEqualTo(100);
        assertThat(usage.get("cache_creation").get("ephemeral_1h_input_tokens").asLong()).isEqualTo(50);

        List<JsonNode> events = events(Http.post(mock, "/v1/messages", MESSAGES_STREAM).body());
        JsonNode start = events.getFirst().get("message").get("usage");
        assertThat(start.get("input_tokens").asLong()).isEqualTo(250);
        assertThat(start.get("cache_read_input_tokens").asLong()).isEqualTo(600);
        assertThat(start.get("cache_creation").get("ephemeral_1h_input_tokens").asLong()).isEqualTo(50);
        JsonNode delta = events.stream().filter(e -> e.get("type").asString().equals("message_delta"))
                .findFirst().orElseThrow().get("usage");
        assertThat(delta.get("cache_read_input_tokens").asLong()).isEqualTo(600); // repeated, cumulative
        assertThat(delta.get("output_tokens").asLong()).isEqualTo(5);
    }

    @Test
    void openAiPromptTokensIncludeTheCachedOnes() {
        mock.usage(1000, 5).cacheTokens(600, 100, 50);

        JsonNode chat = Http.json(Http.post(mock, "/v1/chat/completions", MockUpstreamFaultsIT.CHAT).body()).get("usage");
        assertThat(chat.get("prompt_tokens").asLong()).isEqualTo(1000);
        assertThat(chat.get("prompt_tokens_details").get("cached_tokens").asLong()).isEqualTo(600);
        JsonNode streamed = events(Http.post(mock, "/v1/chat/completions", CHAT_STREAM).body()).getLast().get("usage");
        assertThat(streamed.get("prompt_tokens_details").get("cached_tokens").asLong()).isEqualTo(600);

        JsonNode responses = Http.json(Http.post(mock, "/v1/responses", RESPONSES).body()).get("usage");
        assertThat(responses.get("input_tokens").asLong()).isEqualTo(1000);
        assertThat(responses.get("input_tokens_details").get("cached_tokens").asLong()).isEqualTo(600);
    }

    @Test
    void promptTokensAreAtLeastTheCacheTokensAndResetClearsThem() {
        mock.usage(10, 5).cacheTokens(600, 0, 0);
        assertThat(Http.json(Http.post(mock, "/v1/messages", MESSAGES).body()).get("usage")
                .get("input_tokens").asLong()).isZero();

        mock.reset();
        JsonNode usage = Http.json(Http.post(mock, "/v1/messages", MESSAGES).body()).get("usage");
        assertThat(usage.get("cache_read_input_tokens").asLong()).isZero();
        assertThat(usage.get("cache_creation_input_tokens").asLong()).isZero();
    }

    @Test
    void cacheTokensOverHttpControl() {
        assertThat(Http.post(mock, "/_mock/config", "{\"cacheTokens\":{\"read\":7,\"write1h\":2}}").statusCode())
                .isEqualTo(200);
        JsonNode config = Http.json(Http.get(mock, "/_mock/config").body()).get("cacheTokens");
        assertThat(config.get("read").asLong()).isEqualTo(7);
        assertThat(config.get("write").asLong()).isZero();
        assertThat(config.get("write1h").asLong()).isEqualTo(2);
        assertThat(Http.json(Http.post(mock, "/v1/responses", RESPONSES).body()).get("usage")
                .get("input_tokens_details").get("cached_tokens").asLong()).isEqualTo(7);

        assertThat(Http.post(mock, "/_mock/config", "{\"cacheTokens\":{\"reed\":1}}").statusCode()).isEqualTo(400);
        assertThat(Http.post(mock, "/_mock/config", "{\"cacheTokens\":{\"read\":-1}}").statusCode()).isEqualTo(400);
        assertThat(Http.post(mock, "/_mock/config", "{\"cacheTokens\":null}").statusCode()).isEqualTo(200);
        assertThat(Http.json(Http.get(mock, "/_mock/config").body()).get("cacheTokens").get("read").asLong()).isZero();
    }

    @Test
    void countTokensAnswersThePromptCountOfMessages() {
        long prompt = MockUpstream.promptTokensFor(MESSAGES);
        JsonNode count = Http.json(Http.post(mock, "/v1/messages/count_tokens", MESSAGES).body());
        assertThat(count.get("input_tokens").asLong()).isEqualTo(prompt);
        assertThat(Http.json(Http.post(mock, "/v1/messages", MESSAGES).body()).get("usage")
                .get("input_tokens").asLong()).isEqualTo(prompt);

        mock.usage(321, -1);
        assertThat(Http.json(Http.post(mock, "/v1/messages/count_tokens", MESSAGES).body())
                .get("input_tokens").asLong()).isEqualTo(321);
    }

    @Test
    void cutAtStartClosesAStreamAfterItsHeadersBeforeAnyEvent() throws IOException {
        mock.fault(Fault.NONE.withCutAtStart());

        for (String[] call : new String[][] {{"/v1/chat/completions", CHAT_STREAM},
                {"/v1/messages", MESSAGES_STREAM}, {"/v1/responses", MockUpstreamFaultsIT.RESPONSES_STREAM}}) {
            String raw;
            try (Socket socket = Http.rawPost(mock, call[0], call[1])) {
                raw = Http.readToEnd(socket);
            }
            assertThat(raw).startsWith("HTTP/1.1 200").contains("text/event-stream").doesNotContain("data:");
        }
        assertThat(mock.streamsCut()).isEqualTo(3);
        // a non-stream answer is whole
        assertThat(Http.post(mock, "/v1/messages", MESSAGES).statusCode()).isEqualTo(200);
    }
}
