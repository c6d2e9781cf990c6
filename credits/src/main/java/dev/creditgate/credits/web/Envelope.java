package dev.creditgate.credits.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code {"success":true,"message":..,"data":..}}: the admin API's envelope. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope<T>(boolean success, String message, T data) {

    public static <T> Envelope<T> ok(T data) {
        return new Envelope<>(true, null, data);
    }

    public static <T> Envelope<T> ok(String message, T data) {
        return new Envelope<>(true, message, data);
    }
}
