package dev.creditgate.credits.option;

import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.Envelope;
import dev.creditgate.credits.web.RequestBodies;

/** {@code GET /api/options}, {@code PUT /api/options {key, value}} (admin). */
@RestController
class OptionController {

    private final OptionService options;

    OptionController(OptionService options) {
        this.options = options;
    }

    record OptionView(String key, String value) {
    }

    @GetMapping("/api/options")
    Envelope<List<OptionView>> list() {
        return Envelope.ok(options.all().entrySet().stream().map(e -> new OptionView(e.getKey(), e.getValue())).toList());
    }

    @PutMapping("/api/options")
    Envelope<OptionView> put(@RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String key = RequestBodies.text(o, "key", 64);
        JsonNode v = o.get("value");
        if (v == null || !(v.isString() || v.isNumber())) {
            throw ApiError.INVALID_REQUEST.exception("value: missing (expected a string or number)");
        }
        String raw = v.isString() ? v.stringValue() : v.toString();
        return Envelope.ok(new OptionView(key, options.set(key, raw)));
    }

}
