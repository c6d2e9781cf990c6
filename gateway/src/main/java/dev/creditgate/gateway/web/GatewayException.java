package dev.creditgate.gateway.web;

/** A failure with a known wire answer. Thrown anywhere on a request path; rendered by {@link GatewayExceptionHandler}. */
public class GatewayException extends RuntimeException {

    private final ErrorCode error;
    private final String param;

    public GatewayException(ErrorCode error, String message) {
        this(error, message, null);
    }

    public GatewayException(ErrorCode error, String message, String param) {
        super(message, null, false, false);
        this.error = error;
        this.param = param;
    }

    public ErrorCode error() {
        return error;
    }

    /** OpenAI's {@code param}: the request field at fault, or null. */
    public String param() {
        return param;
    }

    public static GatewayException badRequest(String message) {
        return new GatewayException(ErrorCode.INVALID_REQUEST, message);
    }

    public static GatewayException notFound(String message) {
        return new GatewayException(ErrorCode.NOT_FOUND, message);
    }
}
