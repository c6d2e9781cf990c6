package dev.creditgate.credits.web;

/** A request that cannot be served, with the error to answer. Business outcomes are values, not this. */
public class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
