package dev.creditgate.gateway.web;

/**
 * Every error the gateway answers with: HTTP status, wire {@code type} and {@code code}. Rendered by
 * {@link GatewayExceptionHandler} in the shape of the route (OpenAI on {@code /v1/*}, Anthropic on
 * {@code /v1/messages}, the {@code {success,message,data}} envelope on {@code /api/*}).
 * Types and codes follow new-api / OpenAI where they have one.
 */
public enum ErrorCode {
    INVALID_JSON(400, "invalid_request_error", "invalid_json"),
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request"),
    /** The model has no ModelRatio/ModelPrice and unpriced models are not allowed (new-api's code). */
    MODEL_PRICE_ERROR(400, "new_api_error", "model_price_error"),
    ADMIN_UNAUTHORIZED(401, "authentication_error", "unauthorized"),
    INVALID_API_KEY(401, "invalid_request_error", "invalid_api_key"),
    TOKEN_DISABLED(401, "invalid_request_error", "token_disabled"),
    TOKEN_EXPIRED(401, "invalid_request_error", "token_expired"),
    TOKEN_EXHAUSTED(401, "invalid_request_error", "token_exhausted"),
    USER_DISABLED(403, "permission_error", "user_disabled"),
    MODEL_NOT_ALLOWED(403, "permission_error", "model_not_allowed"),
    IP_NOT_ALLOWED(403, "permission_error", "ip_not_allowed"),
    /** For admission implementations: message names remaining and needed, in one unit. */
    INSUFFICIENT_QUOTA(403, "new_api_error", "insufficient_user_quota"),
    /** Native admission: the token's remain_quota is below the estimate (new-api's code). */
    PRE_CONSUME_TOKEN_QUOTA_FAILED(403, "new_api_error", "pre_consume_token_quota_failed"),
    NOT_FOUND(404, "invalid_request_error", "not_found"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed"),
    CONFLICT(409, "invalid_request_error", "conflict"),
    BODY_TOO_LARGE(413, "invalid_request_error", "request_body_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error", "unsupported_media_type"),
    /** Over a requests-per-window or concurrency limit (OpenAI's code; {@code type} as OpenAI's for RPM). */
    RATE_LIMITED_REQUESTS(429, "requests", "rate_limit_exceeded"),
    /** Over a tokens-per-minute limit (OpenAI's code; {@code type} as OpenAI's for TPM). */
    RATE_LIMITED_TOKENS(429, "tokens", "rate_limit_exceeded"),
    UPSTREAM_UNAVAILABLE(502, "new_api_error", "upstream_unavailable"),
    MODEL_NOT_FOUND(503, "new_api_error", "model_not_found"),
    /** For admission implementations: the credit platform failed and the fallback policy is {@code deny}. */
    CREDIT_SERVICE_UNAVAILABLE(503, "new_api_error", "credit_service_unavailable"),
    /** Key look-ups are bounded (an unknown-key flood must not drain the pool): this one did not get its turn. */
    KEY_LOOKUP_BUSY(503, "new_api_error", "key_lookup_busy"),
    /** This instance relays {@code gateway.relay.max-concurrent} requests already; answered with Retry-After. */
    GATEWAY_BUSY(503, "new_api_error", "gateway_busy"),
    /** The gateway's own database cannot be reached (down, restarting, pool exhausted): try again later. */
    DATABASE_UNAVAILABLE(503, "new_api_error", "database_unavailable"),
    INTERNAL(500, "server_error", "internal_error");

    private final int status;
    private final String type;
    private final String code;

    ErrorCode(int status, String type, String code) {
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }
}
