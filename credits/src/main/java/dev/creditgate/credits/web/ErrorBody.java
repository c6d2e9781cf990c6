package dev.creditgate.credits.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code {"success":false,"code":"..","message":".."}}: the error shape of every endpoint the seed does not fix. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(boolean success, String code, String message) {

    public static ErrorBody of(ApiError error, String message) {
        return new ErrorBody(false, error.code(), message);
    }
}
