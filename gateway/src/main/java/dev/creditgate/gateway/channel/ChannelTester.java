package dev.creditgate.gateway.channel;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * new-api's channel test: one small request (one user message, at most 1 output token) straight to the channel's
 * upstream with its key, outside the relay (no token, no billing, no log row). What the console's "test" button
 * and {@code GET /api/channel/test/:id} run.
 */
@Component
class ChannelTester {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** The outcome: the upstream's HTTP status (0: no answer), the wall time, and a short message. */
    record Result(boolean success, int statusCode, long latencyMs, String model, String message) {}

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    Result test(Channel channel, String model) {
        String requested = model == null || model.isBlank() ? channel.models().getFirst() : model.trim();
        String upstreamModel = channel.upstreamModel(requested);
        HttpRequest.Builder request;
        List<Map<String, String>> messages = List.of(Map.of("role", "user", "content", "hi"));
        switch (channel.type()) {
            case Channel.TYPE_OPENAI -> request = HttpRequest.newBuilder(URI.create(channel.baseUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + channel.apiKey())
                    .POST(body(Map.of("model", upstreamModel, "messages", messages, "max_tokens", 1)));
            case Channel.TYPE_ANTHROPIC -> request = HttpRequest.newBuilder(URI.create(channel.baseUrl() + "/v1/messages"))
                    .header("x-api-key", channel.apiKey())
                    .header("anthropic-version", "2023-06-01")
                    .POST(body(Map.of("model", upstreamModel, "messages", messages, "max_tokens", 1)));
            default -> {
                return new Result(false, 0, 0, requested, "no test for channel type " + channel.type());
            }
        }
        long started = System.nanoTime();
        try {
            HttpResponse<String> answer = http.send(request.header("Content-Type", "application/json").timeout(TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            long ms = (System.nanoTime() - started) / 1_000_000;
            boolean ok = answer.statusCode() / 100 == 2;
            return new Result(ok, answer.statusCode(), ms, requested, ok ? "ok" : "upstream answered HTTP "
                    + answer.statusCode() + ": " + shorten(answer.body()));
        } catch (java.io.IOException e) {
            return new Result(false, 0, (System.nanoTime() - started) / 1_000_000, requested,
                    "no answer: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, 0, (System.nanoTime() - started) / 1_000_000, requested, "interrupted");
        }
    }

    private static HttpRequest.BodyPublisher body(Map<String, Object> json) {
        return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(json), StandardCharsets.UTF_8);
    }

    /** The upstream's error text, cut (it is shown to the operator, never the request's key). */
    private static String shorten(String body) {
        String b = body == null ? "" : body.strip();
        return b.length() > 300 ? b.substring(0, 300) + "..." : b;
    }
}
