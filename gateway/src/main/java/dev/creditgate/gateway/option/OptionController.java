package dev.creditgate.gateway.option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.secret.SecretBox;
import dev.creditgate.gateway.web.ApiResponse;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.JsonBody;
import tools.jackson.databind.JsonNode;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/option/} lists {@code [{key, value}]} (new-api's shape) with secrets masked: any key containing
 * {@code token} or {@code secret} (also encrypted at rest, {@link SecretBox}). {@code PUT /api/option/ {key, value}}
 * stores one; a value may be a JSON string, number, boolean, or an object (stored as its JSON text).
 */
@RestController
@RequestMapping("/api/option")
public class OptionController {

    static final String MASK = "********";

    private final OptionService options;

    OptionController(OptionService options) {
        this.options = options;
    }

    @GetMapping({"", "/"})
    public ApiResponse list() {
        List<Map<String, String>> out = new ArrayList<>();
        options.all().forEach((k, v) -> out.add(Map.of("key", k, "value", isSecret(k) && !v.isEmpty() ? MASK : v)));
        return ApiResponse.ok(out);
    }

    @PutMapping({"", "/"})
    public ApiResponse put(@RequestBody JsonNode json) {
        JsonBody body = JsonBody.of(json);
        String key = JsonBody.maxLength("key", body.requireString("key"), 128);
        JsonNode raw = body.node().get("value");
        String value;
        if (raw == null || raw.isNull()) {
            throw GatewayException.badRequest("value: missing (expected: a string, number, boolean or object)");
        } else if (raw.isString()) {
            value = raw.asString();
        } else if (raw.isNumber() || raw.isBoolean()) {
            value = raw.toString();
        } else {
            value = raw.toString(); // objects/arrays: stored as compact JSON text
        }
        try {
            options.put(key, value);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest(e.getMessage());
        }
        return ApiResponse.ok(null);
    }

    public static boolean isSecret(String key) {
        return SecretBox.isSecretOption(key);
    }
}
