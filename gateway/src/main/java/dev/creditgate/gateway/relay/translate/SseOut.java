package dev.creditgate.gateway.relay.translate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Collects the client's server-sent events produced for one upstream event. */
final class SseOut {

    private final JsonMapper json;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    SseOut(JsonMapper json) {
        this.json = json;
    }

    /** {@code event: name} (when not null) and {@code data: <json>}, then the blank line. */
    SseOut event(String name, JsonNode data) {
        if (name != null) {
            out.writeBytes(("event: " + name + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes("data: ".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(json.writeValueAsBytes(data));
        out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** A {@code data:} line with literal text ({@code [DONE]}). */
    SseOut data(String text) {
        out.writeBytes(("data: " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** The events collected, or null when none (the upstream event is hidden). */
    byte[] bytes() {
        return out.size() == 0 ? null : out.toByteArray();
    }
}
