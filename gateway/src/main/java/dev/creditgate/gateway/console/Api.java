package dev.creditgate.gateway.console;

import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.web.ApiResponse;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The console calls the management API's own controllers (same validation, same services) and reads their answers
 * in the API's wire shape, so pages depend on the documented fields only.
 */
final class Api {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {};

    /** A page of the API ({@code items, total, page, page_size}). */
    record Page(List<Map<String, Object>> items, long total, int page, int pageSize) {
        public boolean hasPrevious() {
            return page > 1;
        }

        public boolean hasNext() {
            return (long) page * pageSize < total;
        }
    }

    private Api() {}

    static Map<String, Object> object(Object data) {
        return JSON.convertValue(data, MAP);
    }

    static List<Map<String, Object>> list(ApiResponse answer) {
        return JSON.convertValue(answer.data(), LIST);
    }

    static Page page(ApiResponse answer) {
        Map<String, Object> p = object(answer.data());
        return new Page(JSON.convertValue(p.get("items"), LIST), ((Number) p.get("total")).longValue(),
                ((Number) p.get("page")).intValue(), ((Number) p.get("page_size")).intValue());
    }

    /** A request body from form fields; blank fields are left out (the API then keeps or defaults them). */
    static ObjectNode body(Object... keyValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            if (v == null || v instanceof String s && s.isBlank()) {
                continue;
            }
            node.set((String) keyValues[i], JSON.valueToTree(v instanceof String s ? s.strip() : v));
        }
        return node;
    }
}
