package dev.creditgate.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * One request the mock received, for assertions.
 *
 * @param method  HTTP method
 * @param path    path without the query, e.g. {@code /v1/chat/completions}
 * @param query   raw query string or null
 * @param headers headers; the map is case-insensitive on names
 * @param body    raw body bytes
 */
public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers,
                              byte[] body) {

    /** First value of the header (case-insensitive name), or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as JSON (throws if it is not JSON). */
    public JsonNode json() {
        return Json.MAPPER.readTree(body);
    }

    @Override
    public String toString() {
        return method + " " + path + (query == null ? "" : "?" + query) + " (" + body.length + " bytes)";
    }
}
