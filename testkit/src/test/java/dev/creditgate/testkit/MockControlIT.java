package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** {@code /_mock/...} control over HTTP, and the command-line entry point. */
class MockControlIT {

    static final String CHAT = MockUpstreamFaultsIT.CHAT;
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
    void statsCountCallsAndStreamsButNotControlCalls() {
        Http.post(mock, "/v1/chat/completions", CHAT);
        Http.post(mock, "/v1/chat/completions", MockUpstreamFaultsIT.CHAT_STREAM);
        Http.get(mock, "/v1/models");

        JsonNode stats = Http.json(Http.get(mock, "/_mock/stats").body());

        assertThat(stats.get("calls").asLong()).isEqualTo(3);
        assertThat(stats.get("callsByPath").get("/v1/chat/completions").asLong()).isEqualTo(2);
        assertThat(stats.get("callsByPath").get("/v1/models").asLong()).isEqualTo(1);
        assertThat(stats.get("streamsStarted").asLong()).isEqualTo(1);
        assertThat(stats.get("streamsCompleted").asLong()).isEqualTo(1);
        assertThat(stats.get("streamsAbortedByClient").asLong()).isZero();
        assertThat(stats.get("activeStreams").asInt()).isZero();
    }

    @Test
    void configChangesTheReplyAndTheDefaultFault() {
        HttpResponse<String> config = Http.post(mock, "/_mock/config",
                "{\"text\":\"alpha beta\",\"chunks\":3,\"promptTokens\":11,\"completionTokens\":22,\"delayMs\":1}");
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(Http.json(config.body()).get("replyChunks").toString()).isEqualTo("[\"alpha\",\" beta\",\" alpha\"]");

        JsonNode chat = Http.json(Http.post(mock, "/v1/chat/completions", CHAT).body());
        assertThat(chat.get("choices").get(0).get("message").get("content").stringValue()).isEqualTo("alpha beta alpha");
        assertThat(chat.get("usage").get("prompt_tokens").asInt()).isEqualTo(11);
        assertThat(chat.get("usage").get("completion_tokens").asInt()).isEqualTo(22);
        assertThat(mock.fault().delay()).isEqualTo(Duration.ofMillis(1));

        Http.post(mock, "/_mock/config", "{\"promptTokens\":null}");
        JsonNode ruled = Http.json(Http.post(mock, "/v1/chat/completions", CHAT).body());
        assertThat(ruled.get("usage").get("prompt_tokens").asInt()).isEqualTo(1); // "hi": ceil(2 / 4)
    }

    @Test
    void configWithNextCallsQueuesFaults() {
        Http.post(mock, "/_mock/config", "{\"nextCalls\":2,\"failStatus\":503,\"failMessage\":\"busy\"}");

        HttpResponse<String> first = Http.post(mock, "/v1/chat/completions", CHAT);
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(Http.json(first.body()).get("error").get("message").stringValue()).isEqualTo("busy");
        assertThat(Http.post(mock, "/v1/chat/completions", CHAT).statusCode()).isEqualTo(503);
        assertThat(Http.post(mock, "/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    }

    @Test
    void streamFaultsOverHttp() {
        Http.post(mock, "/_mock/config", "{\"omitUsage\":true,\"cutAfterChunks\":null,\"chunkDelayMs\":0}");
        List<JsonNode> chunks = MockUpstreamFaultsIT.dataEvents(
                Http.post(mock, "/v1/chat/completions", MockUpstreamFaultsIT.CHAT_STREAM).body());
        assertThat(chunks).noneMatch(c -> c.has("usage"));

        Http.post(mock, "/_mock/config", "{\"omitUsage\":false,\"garbage\":true}");
        assertThat(Http.post(mock, "/v1/chat/completions", CHAT).body()).isEqualTo(MockUpstream.GARBAGE);
    }

    @Test
    void badConfigIsRefusedAndChangesNothing() {
        HttpResponse<String> unknown = Http.post(mock, "/_mock/config", "{\"text\":\"x\",\"delay\":5}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("delay");
        HttpResponse<String> badType = Http.post(mock, "/_mock/config", "{\"text\":\"x\",\"failStatus\":\"500\"}");
        assertThat(badType.statusCode()).isEqualTo(400);
        assertThat(Http.post(mock, "/_mock/config", "{\"failStatus\":42}").statusCode()).isEqualTo(400);
        assertThat(Http.post(mock, "/_mock/config", "not json").statusCode()).isEqualTo(400);

        assertThat(mock.replyText()).isEqualTo(MockUpstream.DEFAULT_TEXT);
        assertThat(mock.fault()).isEqualTo(Fault.NONE);
    }

    @Test
    void resetOverHttp() {
        Http.post(mock, "/_mock/config", "{\"failStatus\":500,\"text\":\"changed\"}");
        Http.post(mock, "/v1/chat/completions", CHAT);

        assertThat(Http.post(mock, "/_mock/reset", "").statusCode()).isEqualTo(200);

        assertThat(mock.calls()).isZero();
        HttpResponse<String> chat = Http.post(mock, "/v1/chat/completions", CHAT);
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(chat.body()).contains(MockUpstream.DEFAULT_TEXT);
    }

    @Test
    void recordedRequestsOverHttpHideCredentials() {
        mock.apiKey("sk-secret-value");
        Http.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer sk-secret-value").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build());

        HttpResponse<String> requests = Http.get(mock, "/_mock/requests");
        JsonNode first = Http.json(requests.body()).get(0);

        assertThat(first.get("path").stringValue()).isEqualTo("/v1/chat/completions");
        assertThat(first.get("body").stringValue()).isEqualTo(CHAT);
        assertThat(first.get("headers").get("authorization").get(0).stringValue()).startsWith("<redacted");
        assertThat(requests.body()).doesNotContain("sk-secret-value");
        assertThat(Http.get(mock, "/_mock/config").body()).doesNotContain("sk-secret-value").contains("\"apiKeyRequired\":true");
    }

    @Test
    void unknownControlPathIs404() {
        assertThat(Http.get(mock, "/_mock/nothing").statusCode()).isEqualTo(404);
        assertThat(mock.calls()).isZero();
    }

    @Test
    void commandLineRunsTheMockUntilKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                MockUpstreamMain.class.getName(), "--port", "0", "--api-key", "sk-cli", "--text", "from the cli",
                "--usage", "3,4").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("mock upstream listening on http://127.0.0.1:");
            String baseUrl = line.substring("mock upstream listening on ".length()).split(" ")[0];

            HttpRequest.Builder chat = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT));
            assertThat(Http.send(chat.copy().build()).statusCode()).isEqualTo(401);
            JsonNode ok = Http.json(Http.send(chat.copy().header("Authorization", "Bearer sk-cli").build()).body());
            assertThat(ok.get("choices").get(0).get("message").get("content").stringValue()).isEqualTo("from the cli");
            assertThat(ok.get("usage").get("total_tokens").asInt()).isEqualTo(7);

            // reset over HTTP returns to the command-line settings, not to the built-in defaults
            Http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/_mock/config"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"changed\"}")).build());
            Http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/_mock/reset"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            JsonNode config = Http.json(Http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/_mock/config")).build()).body());
            assertThat(config.get("replyChunks").toString()).isEqualTo("[\"from\",\" the\",\" cli\"]");
            assertThat(config.get("apiKeyRequired").booleanValue()).isTrue();
        } finally {
            process.destroy();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void commandLineRefusesUnknownOptions() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                MockUpstreamMain.class.getName(), "--bogus", "1").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output).contains("unknown option --bogus", "usage:");
    }
}
