package dev.creditgate.demo;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON helpers of the demo (Jackson 3, already on the apps' classpath). */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    /** A JSON string literal. */
    static String quote(String s) {
        return MAPPER.writeValueAsString(s);
    }

    static JsonNode parse(String s) {
        return MAPPER.readTree(s);
    }

    static String write(Object o) {
        return MAPPER.writeValueAsString(o);
    }
}
