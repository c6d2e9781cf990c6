package dev.creditgate.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;

/** The demo's HTTP calls to the management APIs: JSON in, JSON out, a non-2xx answer is an error naming the call. */
final class Api implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String headerName;
    private final String headerValue;

    private Api(String baseUrl, String headerName, String headerValue) {
        this.baseUrl = baseUrl;
        this.headerName = headerName;
        this.headerValue = headerValue;
    }

    static Api bearer(String baseUrl, String token) {
        return new Api(baseUrl, "Authorization", "Bearer " + token);
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    /** The answer's {@code data}; fails unless the status is 2xx and {@code success} is not false. */
    JsonNode send(String method, String path, Object body) {
        String json = body == null ? null : body instanceof String s ? s : Json.write(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header(headerName, headerValue)
                .header("Accept", "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + baseUrl + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonNode answer;
        try {
            answer = Json.parse(response.body());
        } catch (RuntimeException e) {
            throw new IllegalStateException(method + " " + baseUrl + path + ": HTTP " + response.statusCode()
                    + ", not JSON: " + abbreviate(response.body()));
        }
        if (response.statusCode() / 100 != 2 || answer.path("success").asBoolean(true) == false) {
            throw new IllegalStateException(method + " " + baseUrl + path + ": HTTP " + response.statusCode() + " "
                    + abbreviate(response.body()));
        }
        return answer.path("data");
    }

    private static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }

    @Override
    public void close() {
        http.close();
    }
}
