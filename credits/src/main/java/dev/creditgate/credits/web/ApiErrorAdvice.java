package dev.creditgate.credits.web;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Renders every failure as {@link ErrorBody}; unexpected ones as 500 with a reference, details only in the log. */
@RestControllerAdvice
public class ApiErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ErrorBody> api(ApiException e) {
        return ResponseEntity.status(e.error().status()).body(ErrorBody.of(e.error(), e.getMessage()));
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ResponseEntity<ErrorBody> tooLarge(BodyTooLargeException e) {
        return respond(ApiError.PAYLOAD_TOO_LARGE, e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException big) {
                return tooLarge(big);
            }
        }
        return respond(ApiError.INVALID_REQUEST, "request body missing or unreadable");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ErrorBody> typeMismatch(MethodArgumentTypeMismatchException e) {
        return respond(ApiError.INVALID_REQUEST, e.getName() + ": invalid value");
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ErrorBody> missingHeader(MissingRequestHeaderException e) {
        return respond(ApiError.INVALID_REQUEST, "header " + e.getHeaderName() + " missing");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorBody> method(HttpRequestMethodNotSupportedException e) {
        return respond(ApiError.METHOD_NOT_ALLOWED, "method " + e.getMethod() + " not allowed here");
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ErrorBody> mediaType(HttpMediaTypeNotSupportedException e) {
        return respond(ApiError.UNSUPPORTED_MEDIA_TYPE, "content type not supported (expected: application/json)");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ErrorBody> noResource(NoResourceFoundException e) {
        return respond(ApiError.NOT_FOUND, "no such endpoint");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorBody> unexpected(Exception e) {
        String ref = UUID.randomUUID().toString();
        log.error("unexpected failure (ref {})", ref, e);
        return respond(ApiError.INTERNAL, "internal error (ref " + ref + ")");
    }

    private static ResponseEntity<ErrorBody> respond(ApiError error, String message) {
        return ResponseEntity.status(error.status()).body(ErrorBody.of(error, message));
    }
}
