package dev.creditgate.credits.web;

import org.springframework.http.HttpStatus;

/** Every error the credit platform answers: HTTP status and wire {@code code}. */
public enum ApiError {
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid_request"),
    MALFORMED_JSON(HttpStatus.BAD_REQUEST, "malformed_json"),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized"),
    INVALID_SIGNATURE(HttpStatus.UNAUTHORIZED, "invalid_signature"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden"),
    KEY_DISABLED(HttpStatus.FORBIDDEN, "key_disabled"),
    INSUFFICIENT_CREDIT(HttpStatus.PAYMENT_REQUIRED, "insufficient_credit"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not_found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed"),
    CONFLICT(HttpStatus.CONFLICT, "conflict"),
    PAYLOAD_TOO_LARGE(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large"),
    /** A key or user has {@code credits.holds.max-open-per-key} / {@code max-open-per-user} pending holds. */
    TOO_MANY_OPEN_HOLDS(HttpStatus.TOO_MANY_REQUESTS, "too_many_open_holds"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    GATEWAY_ERROR(HttpStatus.BAD_GATEWAY, "gateway_error"),
    GATEWAY_NOT_CONFIGURED(HttpStatus.SERVICE_UNAVAILABLE, "gateway_not_configured"),
    BUSY(HttpStatus.SERVICE_UNAVAILABLE, "busy"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error");

    private final HttpStatus status;
    private final String code;

    ApiError(HttpStatus status, String code) {
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public ApiException exception(String message) {
        return new ApiException(this, message);
    }
}
