package dev.creditgate.gateway.relay;

import java.io.IOException;

import dev.creditgate.gateway.GatewayProperties;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Reads a relay request body, bounded by {@code gateway.max-body-size} (413 beyond), and parses it (400 if not JSON). */
@Component
public class RequestBodyReader {

    /** A request body as the client sent it and parsed. */
    public record Body(byte[] raw, ObjectNode json) {
    }

    private final int maxBytes;
    private final int maxModelName;
    private final JsonMapper json;

    RequestBodyReader(GatewayProperties properties, RelayLimits limits, JsonMapper json) {
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 16, properties.maxBodySize().toBytes());
        this.maxModelName = limits.maxModelNameLength();
        this.json = json;
    }

    void read(HttpServletRequest request, RelayExchange exchange) throws IOException {
        Body body = read(request);
        exchange.body(body.raw(), body.json());
    }

    /** @throws GatewayException 413 over {@code gateway.max-body-size}, 400 when empty or not a JSON object */
    public Body read(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(declared);
        }
        // With a Content-Length, exactly that many bytes (one array of the body's size; the server ends the body
        // there); without one (chunked), up to one byte more than the limit, to see it exceeded.
        byte[] raw = request.getInputStream().readNBytes(declared >= 0 ? (int) declared : maxBytes + 1);
        if (raw.length > maxBytes) {
            throw tooLarge(-1);
        }
        if (raw.length == 0) {
            throw new GatewayException(ErrorCode.INVALID_JSON, "request body: empty (expected: a JSON object)");
        }
        JsonNode node;
        try {
            node = json.readTree(raw);
        } catch (JacksonException e) {
            throw new GatewayException(ErrorCode.INVALID_JSON, "malformed JSON body: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new GatewayException(ErrorCode.INVALID_JSON, "request body: "
                    + (node == null ? "empty" : node.getNodeType()) + " (expected: a JSON object)");
        }
        return new Body(raw, (ObjectNode) node);
    }

    private GatewayException tooLarge(long declared) {
        return new GatewayException(ErrorCode.BODY_TOO_LARGE, "request body: "
                + (declared >= 0 ? declared + " bytes" : "more than " + maxBytes + " bytes")
                + " (expected: <= " + maxBytes + " bytes, gateway.max-body-size)");
    }

    /**
     * The body's {@code model}: 400 {@code invalid_request} when it is missing, not a non-empty string, longer than
     * {@code gateway.relay.max-model-name-length} or has a control character (U+0000..U+001F, U+007F..U+009F).
     */
    public String model(JsonNode body) {
        return checkModelName(requireModel(body));
    }

    /**
     * A model name from wherever the route carries it (the body, Gemini's path): 400 {@code invalid_request} when
     * longer than {@code gateway.relay.max-model-name-length} or with a control character.
     */
    public String checkModelName(String model) {
        if (model.length() > maxModelName) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "model: " + model.length()
                    + " characters (expected: <= " + maxModelName + ", gateway.relay.max-model-name-length)", "model");
        }
        for (int i = 0; i < model.length(); i++) {
            if (Character.isISOControl(model.charAt(i))) {
                throw new GatewayException(ErrorCode.INVALID_REQUEST, "model: control character U+"
                        + String.format("%04X", (int) model.charAt(i)) + " at index " + i
                        + " (expected: a model name without control characters)", "model");
            }
        }
        return model;
    }

    /** The body's {@code model}: 400 {@code invalid_request} when it is missing or not a non-empty string. */
    public static String requireModel(JsonNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "model: missing (expected: a model name)", "model");
        }
        if (!model.isString() || model.asString().isBlank()) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST,
                    "model: " + model + " (expected: a non-empty string)", "model");
        }
        return model.asString();
    }
}
