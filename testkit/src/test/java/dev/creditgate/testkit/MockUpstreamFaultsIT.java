package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Every fault the mock can inject, seen from a client. */
class MockUpstreamFaultsIT {

    static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String CHAT_STREAM = "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String MESSAGES = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String MESSAGES_STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String RESPONSES_STREAM = "{\"model\":\"gpt-4o\",\"stream\":true,\"input\":\"hi\"}";

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

    // ---- statuses ----------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"429,requests,rate_limit_exceeded", "500,server_error,", "503,server_error,", "400,invalid_request_error,"})
    void openAiErrorShape(int status, String type, String code) {
        mock.failWith(status);

        for (String path : List.of("/v1/chat/completions", "/v1/responses", "/v1/embeddings")) {
            HttpResponse<String> response = Http.post(mock, path, CHAT);

            assertThat(response.statusCode()).isEqualTo(status);
            assertThat(response.headers().firstValue("content-type")).contains("application/json");
            JsonNode error = Http.json(response.body()).get("error");
            assertThat(error.get("message").stringValue()).isNotBlank();
            assertThat(error.get("type").stringValue()).isEqualTo(type);
            assertThat(error.has("param")).isTrue();
            assertThat(error.get("param").isNull()).isTrue();
            assertThat(error.get("code").isNull() ? null : error.get("code").stringValue()).isEqualTo(code);
        }
    }

    @ParameterizedTest
    @CsvSource({"429,rate_limit_error", "500,api_error", "503,api_error", "529,overloaded_error", "400,invalid_request_error"})
    void anthropicErrorShape(int status, String type) {
        mock.failNext(1, status);

        HttpResponse<String> response = Http.post(mock, "/v1/messages", MESSAGES);

        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode body = Http.json(response.body());
        assertThat(body.get("type").stringValue()).isEqualTo("error");
        assertThat(body.get("error").get("type").stringValue()).isEqualTo(type);
        assertThat(body.get("error").get("message").stringValue()).isNotBlank();
        assertThat(Http.post(mock, "/v1/messages", MESSAGES).statusCode()).isEqualTo(200);
    }

    @Test
    void customErrorMessage() {
        mock.fault(Fault.NONE.withStatus(503, "upstream on fire"));

        assertThat(Http.json(Http.post(mock, "/v1/chat/completions", CHAT).body()).get("error").get("message").stringValue())
                .isEqualTo("upstream on fire");
    }

    @Test
    void nextCallsFaultsAreUsedInOrderThenTheDefaultReturns() {
        mock.failNext(2, 503).faultNext(1, Fault.NONE.withStatus(429));

        assertThat(mock.queuedFaults()).isEqualTo(3);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(Http.post(mock, "/v1/chat/completions", CHAT).statusCode());
        }
        assertThat(statuses).containsExactly(503, 503, 429, 200, 200);
        assertThat(mock.calls()).isEqualTo(5);
    }

    @Test
    void clearFaultsAndResetHeal() {
        mock.failWith(500).failNext(3, 429);
        mock.clearFaults();
        assertThat(Http.post(mock, "/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);

        mock.failWith(500).usage(1, 2);
        mock.reset();
        HttpResponse<String> healed = Http.post(mock, "/v1/chat/completions", CHAT);
        assertThat(healed.statusCode()).isEqualTo(200);
        assertThat(Http.json(healed.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(mock.calls()).isEqualTo(1); // counters zeroed by reset
    }

    // ---- garbage -----------------------------------------------------------------------------

    @Test
    void garbageIs200WithABodyThatIsNotJson() {
        mock.fault(Fault.NONE.withGarbage());

        HttpResponse<String> plain = Http.post(mock, "/v1/chat/completions", CHAT);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> Http.json(plain.body())).isInstanceOf(JacksonException.class);

        HttpResponse<String> stream = Http.post(mock, "/v1/chat/completions", CHAT_STREAM);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        String data = stream.body().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        assertThatThrownBy(() -> Http.json(data)).isInstanceOf(JacksonException.class);

        HttpResponse<String> anthropic = Http.post(mock, "/v1/messages", MESSAGES);
        assertThatThrownBy(() -> Http.json(anthropic.body())).isInstanceOf(JacksonException.class);
    }

    // ---- omitted usage -----------------------------------------------------------------------

    @Test
    void omitUsageRemovesUsageEverywhere() {
        mock.fault(Fault.NONE.withoutUsage());

        JsonNode chat = Http.json(Http.post(mock, "/v1/chat/completions", CHAT).body());
        assertThat(chat.has("usage")).isFalse();
        assertThat(chat.get("choices").get(0).get("message").get("content").stringValue())
                .isEqualTo("Hello from the mock upstream.");

        List<JsonNode> chunks = dataEvents(Http.post(mock, "/v1/chat/completions", CHAT_STREAM).body());
        assertThat(chunks).hasSize(7); // role, 5 content, finish: no usage chunk
        assertThat(chunks).noneMatch(c -> c.has("usage"));

        JsonNode message = Http.json(Http.post(mock, "/v1/messages", MESSAGES).body());
        assertThat(message.has("usage")).isFalse();

        List<JsonNode> events = dataEvents(Http.post(mock, "/v1/messages", MESSAGES_STREAM).body());
        JsonNode delta = events.stream().filter(e -> e.get("type").stringValue().equals("message_delta")).findFirst().orElseThrow();
        assertThat(delta.has("usage")).isFalse();
        assertThat(events.getLast().get("type").stringValue()).isEqualTo("message_stop");

        List<JsonNode> responseEvents = dataEvents(Http.post(mock, "/v1/responses", RESPONSES_STREAM).body());
        JsonNode completed = responseEvents.getLast();
        assertThat(completed.get("type").stringValue()).isEqualTo("response.completed");
        assertThat(completed.get("response").get("usage").isNull()).isTrue();

        JsonNode embeddings = Http.json(Http.post(mock, "/v1/embeddings",
                "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").body());
        assertThat(embeddings.has("usage")).isFalse();
    }

    @Test
    void streamWithUsageHasNullUsageOnEveryChunkButTheLast() {
        List<JsonNode> chunks = dataEvents(Http.post(mock, "/v1/chat/completions", CHAT_STREAM).body());

        assertThat(chunks).hasSize(8);
        assertThat(chunks.subList(0, 7)).allSatisfy(c -> assertThat(c.get("usage").isNull()).isTrue());
        assertThat(chunks.getLast().get("choices")).isEmpty();
        assertThat(chunks.getLast().get("usage").get("total_tokens").asInt()).isEqualTo(6); // 1 + 5
    }

    // ---- cut streams -------------------------------------------------------------------------

    @Test
    void cutAfterNChunksClosesTheConnectionWithoutFinishingTheStream() throws IOException {
        mock.faultNext(1, Fault.NONE.withCutAfter(2));

        String cut;
        try (Socket socket = Http.rawPost(mock, "/v1/chat/completions", CHAT_STREAM)) {
            cut = Http.readToEnd(socket);
        }
        assertThat(cut).startsWith("HTTP/1.1 200");
        assertThat(cut).contains("\"content\":\"Hello\"", "\"content\":\" from\"").doesNotContain("\" the\"");
        assertThat(cut).doesNotContain("[DONE]", "finish_reason\":\"stop");
        assertThat(cut).doesNotEndWith("0\r\n\r\n"); // no terminating chunk: a truncated body
        awaitCount(mock::streamsCut, 1);

        String whole;
        try (Socket socket = Http.rawPost(mock, "/v1/chat/completions", CHAT_STREAM)) {
            whole = Http.readToEnd(socket);
        }
        assertThat(whole).contains("data: [DONE]").endsWith("0\r\n\r\n");
        mock.awaitStreamsCompleted(1, Duration.ofSeconds(5)); // counted after the body closes
        assertThat(mock.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void aClientSeesACutStreamAsAnError() throws Exception {
        // Spaced chunks: the JDK's ofInputStream drops bytes still buffered when the connection breaks,
        // so each chunk must have been read before the cut for the count below to be exact.
        mock.fault(Fault.NONE.withCutAfter(3).withChunkDelay(Duration.ofMillis(30)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(MESSAGES_STREAM)).build();

        HttpResponse<InputStream> response = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        List<String> dataLines = new ArrayList<>();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        dataLines.add(line);
                    }
                }
            }
        }).isInstanceOf(IOException.class);
        // message_start, content_block_start, ping, then 3 deltas; never message_delta or message_stop
        assertThat(dataLines).hasSize(6);
        assertThat(String.join("\n", dataLines)).doesNotContain("message_stop", "message_delta");
    }

    @Test
    void cutAfterZeroSendsOnlyThePreamble() throws IOException {
        mock.fault(Fault.NONE.withCutAfter(0));

        String cut;
        try (Socket socket = Http.rawPost(mock, "/v1/responses", RESPONSES_STREAM)) {
            cut = Http.readToEnd(socket);
        }
        assertThat(cut).contains("response.created", "response.content_part.added")
                .doesNotContain("response.output_text.delta", "response.completed");
    }

    // ---- delays ------------------------------------------------------------------------------

    @Test
    void delayHoldsTheAnswerBack() {
        mock.faultNext(1, Fault.NONE.withDelay(Duration.ofMillis(400)));

        long start = System.nanoTime();
        assertThat(Http.post(mock, "/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        long slowMillis = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        assertThat(Http.post(mock, "/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        long fastMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(slowMillis).isGreaterThanOrEqualTo(400);
        assertThat(fastMillis).isLessThan(400);
    }

    @Test
    void chunkDelaySpacesTheContentChunks() throws Exception {
        mock.chunkDelay(Duration.ofMillis(60));
        HttpRequest request = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT_STREAM)).build();

        long start = System.nanoTime();
        HttpResponse<InputStream> response = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        List<Long> arrivals = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.contains("\"delta\":{\"content\"")) {
                    arrivals.add((System.nanoTime() - start) / 1_000_000);
                }
            }
        }
        assertThat(arrivals).hasSize(5);
        for (int i = 0; i < arrivals.size(); i++) {
            assertThat(arrivals.get(i)).as("chunk %d arrival (ms)", i).isGreaterThanOrEqualTo(60L * (i + 1));
        }
    }

    // ---- client aborts -----------------------------------------------------------------------

    @Test
    void aClientClosingMidStreamIsCountedQuickly() throws IOException {
        // 10,000 chunks 20 ms apart: the stream would last 200 s if drained.
        mock.chunks(10_000).chunkDelay(Duration.ofMillis(20));

        long start = System.nanoTime();
        try (Socket socket = Http.rawPost(mock, "/v1/chat/completions", CHAT_STREAM)) {
            Http.readUntil(socket, "\"delta\":{\"content\"", 3);
            assertThat(mock.activeStreams()).isEqualTo(1);
        }
        mock.awaitStreamsAbortedByClient(1, Duration.ofSeconds(5));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).isLessThan(3_000); // the stream had ~200 s to go
        mock.awaitNoActiveStreams(Duration.ofSeconds(2));
        assertThat(mock.streamsCompleted()).isZero();
        assertThat(mock.streamsCut()).isZero();
    }

    @Test
    void theOpenAiSdkClosingAStreamIsSeenAsAnAbort() {
        mock.chunks(10_000).chunkDelay(Duration.ofMillis(20));
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(mock.baseUrl() + "/v1").apiKey("k").maxRetries(0).build();
        try {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                    .addUserMessage("hi").build();
            List<String> got = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
                stream.stream().limit(4).forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(got::add)));
            }
            long closed = System.nanoTime();
            assertThat(got).containsExactly("", "Hello", " from", " the");
            mock.awaitStreamsAbortedByClient(1, Duration.ofSeconds(5));
            // the stream had ~200 s to go: seen within a few chunk intervals, not drained
            assertThat((System.nanoTime() - closed) / 1_000_000).isLessThan(3_000);
        } finally {
            client.close();
        }
    }

    // ---- bad requests, auth, recording, waiting ---------------------------------------------

    @Test
    void badRequestsAreRefusedInTheApiShape() {
        assertThat(Http.post(mock, "/v1/chat/completions", "{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> noModel = Http.post(mock, "/v1/chat/completions", "{\"messages\":[]}");
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(Http.json(noModel.body()).get("error").get("type").stringValue()).isEqualTo("invalid_request_error");
        HttpResponse<String> noMaxTokens = Http.post(mock, "/v1/messages", "{\"model\":\"claude\",\"messages\":[]}");
        assertThat(noMaxTokens.statusCode()).isEqualTo(400);
        assertThat(Http.json(noMaxTokens.body()).get("error").get("message").stringValue()).contains("max_tokens");
        HttpResponse<String> unknown = Http.post(mock, "/v1/nothing", CHAT);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Http.json(unknown.body()).get("error").get("message").stringValue()).contains("/v1/nothing");
    }

    @Test
    void apiKeyIsCheckedOnBothHeaders() {
        mock.apiKey("sk-expected");
        HttpRequest.Builder chat = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT));

        assertThat(Http.send(chat.copy().header("Authorization", "Bearer sk-expected").build()).statusCode()).isEqualTo(200);
        assertThat(Http.send(chat.copy().header("x-api-key", "sk-expected").build()).statusCode()).isEqualTo(200);
        HttpResponse<String> wrong = Http.send(chat.copy().header("Authorization", "Bearer sk-wrong-key-123").build());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("sk-wrong-key-123").doesNotContain("sk-expected");
        assertThat(Http.send(chat.copy().build()).statusCode()).isEqualTo(401);
        HttpResponse<String> anthropic = Http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/messages"))
                .header("x-api-key", "nope").POST(HttpRequest.BodyPublishers.ofString(MESSAGES)).build());
        assertThat(anthropic.statusCode()).isEqualTo(401);
        assertThat(Http.json(anthropic.body()).get("error").get("type").stringValue()).isEqualTo("authentication_error");
        assertThat(mock.calls()).isEqualTo(5);
    }

    @Test
    void requestsAreRecordedUpToTheLimit() {
        mock.recordLimit(2);
        for (int i = 0; i < 3; i++) {
            Http.post(mock, "/v1/chat/completions", CHAT.replace("hi", "hi " + i));
        }
        assertThat(mock.requests()).hasSize(2);
        assertThat(mock.requests().getFirst().bodyText()).contains("hi 1");
        assertThat(mock.lastRequest().json().get("messages").get(0).get("content").stringValue()).isEqualTo("hi 2");
        assertThat(mock.lastRequest().header("CONTENT-TYPE")).isEqualTo("application/json");
        assertThat(mock.calls("/v1/chat/completions")).isEqualTo(3);
    }

    @Test
    void awaitCallsFailsWithWhatItSaw() {
        Http.post(mock, "/v1/chat/completions", CHAT);

        mock.awaitCalls(1, Duration.ofSeconds(1)).awaitCalls("/v1/chat/completions", 1, Duration.ofSeconds(1));
        assertThatThrownBy(() -> mock.awaitCalls(2, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("saw 1");
    }

    @Test
    void anthropicModelsListWhenTheClientSpeaksAnthropic() {
        mock.models("claude-a", "claude-b");
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/models"))
                .header("anthropic-version", "2023-06-01").GET().build());

        JsonNode body = Http.json(response.body());
        assertThat(body.get("data").get(0).get("type").stringValue()).isEqualTo("model");
        assertThat(body.get("first_id").stringValue()).isEqualTo("claude-a");
        assertThat(body.get("has_more").booleanValue()).isFalse();
    }

    static List<JsonNode> dataEvents(String sse) {
        List<JsonNode> events = new ArrayList<>();
        sse.lines().filter(l -> l.startsWith("data: ") && !l.equals("data: [DONE]"))
                .forEach(l -> events.add(Http.json(l.substring(6))));
        return events;
    }

    private static void awaitCount(java.util.function.LongSupplier counter, long expected) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (counter.getAsLong() < expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5); // polling an asynchronous counter, not waiting for time to pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
        assertThat(counter.getAsLong()).isEqualTo(expected);
    }
}
