package dev.creditgate.gateway.console;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import dev.creditgate.gateway.web.GatewayException;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The log filters of the console (the page's form and the CSV link share them): a token id, a model, a time
 * range in UTC ({@code datetime-local} fields, both minutes inclusive).
 */
record LogFilter(Long tokenId, String model, String from, String to) {

    Long start() {
        return epoch("from", from, 0);
    }

    Long end() {
        return epoch("to", to, 59);
    }

    String modelOrNull() {
        return model == null || model.isBlank() ? null : model.strip();
    }

    /** The query string that repeats these filters (for paging links and the CSV link). */
    String query(Integer page) {
        UriComponentsBuilder b = UriComponentsBuilder.newInstance();
        if (tokenId != null) {
            b.queryParam("token_id", tokenId);
        }
        if (modelOrNull() != null) {
            b.queryParam("model", modelOrNull());
        }
        if (from != null && !from.isBlank()) {
            b.queryParam("from", from);
        }
        if (to != null && !to.isBlank()) {
            b.queryParam("to", to);
        }
        if (page != null) {
            b.queryParam("p", page);
        }
        return b.encode().build().getQuery() == null ? "" : "?" + b.encode().build().getQuery();
    }

    private static Long epoch(String field, String value, int plusSeconds) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(value.strip()).toEpochSecond(ZoneOffset.UTC) + plusSeconds;
        } catch (DateTimeParseException e) {
            throw GatewayException.badRequest(field + ": \"" + value + "\" (expected: yyyy-MM-ddTHH:mm, UTC)");
        }
    }
}
