package dev.creditgate.gateway.web;

/** new-api's management envelope: {@code {"success","message","data"}}. */
public record ApiResponse(boolean success, String message, Object data) {

    public static ApiResponse ok(Object data) {
        return new ApiResponse(true, "", data);
    }

    public static ApiResponse fail(String message) {
        return new ApiResponse(false, message, null);
    }
}
