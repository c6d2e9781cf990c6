package dev.creditgate.credits.apikey;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.Envelope;
import dev.creditgate.credits.web.RequestBodies;

/** {@code POST /api/keys}, {@code GET /api/keys[?userId=]}, {@code GET|PATCH|DELETE /api/keys/:id} (admin). */
@RestController
class ApiKeyController {

    private final ApiKeyService keys;

    ApiKeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    /** {@code key} only in the creation answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record KeyView(String id, String userId, String label, String key, String maskedValue, Long remoteKeyId,
                   String status, String createdAt) {
        static KeyView of(ApiKeyService.KeyRow r, String fullKey) {
            return new KeyView(r.id(), r.userId(), r.label(), fullKey, r.masked(), r.remoteKeyId(), r.status(),
                    Instant.ofEpochMilli(r.createdAtMs()).toString());
        }
    }

    @PostMapping("/api/keys")
    ResponseEntity<Envelope<KeyView>> create(@RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String userId = RequestBodies.text(o, "userId", 64);
        String label = RequestBodies.text(o, "label", 100);
        ApiKeyService.Created c = keys.create(userId, label);
        return ResponseEntity.status(HttpStatus.CREATED).body(Envelope.ok(KeyView.of(c.row(), c.fullKey())));
    }

    @GetMapping("/api/keys")
    Envelope<List<KeyView>> list(@RequestParam(required = false) String userId) {
        return Envelope.ok(keys.list(userId).stream().map(r -> KeyView.of(r, null)).toList());
    }

    @GetMapping("/api/keys/{id}")
    Envelope<KeyView> get(@PathVariable String id) {
        return Envelope.ok(keys.find(id).filter(r -> !r.status().equals(ApiKeyService.PENDING) && !r.status().equals(ApiKeyService.FAILED))
                .map(r -> KeyView.of(r, null))
                .orElseThrow(() -> ApiError.NOT_FOUND.exception("API key not found: " + id)));
    }

    @PatchMapping("/api/keys/{id}")
    Envelope<KeyView> patch(@PathVariable String id, @RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String status = RequestBodies.text(o, "status", 16);
        boolean enable = switch (status) {
            case "ACTIVE" -> true;
            case "DISABLED" -> false;
            default -> throw ApiError.INVALID_REQUEST.exception("status: \"" + status + "\" (expected ACTIVE or DISABLED)");
        };
        return Envelope.ok(KeyView.of(keys.setStatus(id, enable), null));
    }

    @DeleteMapping("/api/keys/{id}")
    Envelope<Void> delete(@PathVariable String id) {
        keys.delete(id);
        return Envelope.ok("deleted", null);
    }
}
