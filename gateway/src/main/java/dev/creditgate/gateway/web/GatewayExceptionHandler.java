package dev.creditgate.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedRuntimeException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.MediaType;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place that turns failures into wire answers, in the shape of the route: OpenAI's
 * {@code {"error":{"message","type","param","code"}}} on {@code /v1/*}; Anthropic's
 * {@code {"type":"error","error":{"type","message"}}} on {@code /v1/messages}, and on {@code /v1/models} for an
 * {@link #isAnthropicClient Anthropic client} (the type from the status, see {@link #anthropicType}); Google's
 * {@code {"error":{"code","message","status"}}} on the {@link #isGoogle Gemini routes}; the management envelope
 * {@code {"success":false,"message","data":null}} elsewhere. The HTTP status is always the error's own.
 */
@RestControllerAdvice
public class GatewayExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayExceptionHandler.class);

    @ExceptionHandler(GatewayException.class)
    ResponseEntity<Object> gateway(GatewayException e, HttpServletRequest request) {
        return render(request, e.error(), e.getMessage(), e.param());
    }

    @ExceptionHandler(RateLimitedException.class)
    ResponseEntity<Object> rateLimited(RateLimitedException e, HttpServletRequest request) {
        ResponseEntity<Object> answer = render(request, e.error(), e.getMessage(), e.param());
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .header("Retry-After", Long.toString(e.retryAfterSeconds()))
                .header("retry-after-ms", Long.toString(e.retryAfterMillis()))
                .body(answer.getBody());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        String detail = e.getMostSpecificCause().getMessage();
        return render(request, ErrorCode.INVALID_JSON, "malformed JSON body: " + firstLine(detail), null);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
        return render(request, ErrorCode.INVALID_REQUEST,
                e.getName() + ": \"" + e.getValue() + "\" (expected: " + expected.toLowerCase() + ")", e.getName());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Object> missingParam(MissingServletRequestParameterException e, HttpServletRequest request) {
        return render(request, ErrorCode.INVALID_REQUEST, e.getParameterName() + ": missing", e.getParameterName());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Object> noResource(NoResourceFoundException e, HttpServletRequest request) {
        return render(request, ErrorCode.NOT_FOUND, "no route " + request.getMethod() + " " + request.getRequestURI(), null);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return render(request, ErrorCode.METHOD_NOT_ALLOWED,
                request.getMethod() + " " + request.getRequestURI() + " (expected: " + e.getSupportedHttpMethods() + ")", null);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return render(request, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type " + e.getContentType() + " (expected: application/json)", null);
    }

    /**
     * The database is down, restarting or out of connections: 503 in the route's shape, one line in the log (no stack
     * trace per request while it lasts).
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            RecoverableDataAccessException.class, CannotCreateTransactionException.class,
            TransactionSystemException.class})
    ResponseEntity<Object> databaseUnavailable(NestedRuntimeException e, HttpServletRequest request) {
        log.warn("database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(),
                firstLine(e.getMostSpecificCause().getMessage()));
        return render(request, ErrorCode.DATABASE_UNAVAILABLE, "database unavailable, try again later", null);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return render(request, ErrorCode.INTERNAL, "internal error", null);
    }

    /** Renders an error in the shape of the request's route. */
    public static ResponseEntity<Object> render(HttpServletRequest request, ErrorCode error, String message, String param) {
        String path = request.getRequestURI();
        Object body;
        if (path.startsWith("/v1/messages")
                || (path.startsWith("/v1/models") && !isGoogle(path) && isAnthropicClient(request))) {
            Map<String, Object> inner = new LinkedHashMap<>();
            inner.put("type", anthropicType(error.status()));
            inner.put("message", message);
            Map<String, Object> outer = new LinkedHashMap<>();
            outer.put("type", "error");
            outer.put("error", inner);
            body = outer;
        } else if (isGoogle(path)) {
            body = googleError(error.status(), message);
        } else if (path.startsWith("/v1/")) {
            body = openAiError(error, message, param);
        } else {
            body = ApiResponse.fail(message);
        }
        return ResponseEntity.status(error.status()).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    /**
     * Anthropic's error {@code type} for a status: what the Anthropic SDKs and Claude Code expect on
     * {@code /v1/messages} (the gateway's own codes are OpenAI/new-api names; the status carries the meaning).
     */
    public static String anthropicType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /**
     * An Anthropic client on a shared route ({@code /v1/models}): the {@code anthropic-version} header, or the key in
     * {@code x-api-key} without {@code Authorization} (what the Anthropic SDKs send).
     */
    public static boolean isAnthropicClient(HttpServletRequest request) {
        return request.getHeader("anthropic-version") != null
                || (request.getHeader("x-api-key") != null && request.getHeader("Authorization") == null);
    }

    /** Google's routes: {@code /v1beta/**}, and {@code /v1/models/{model}:method} (the SDKs use either version). */
    static boolean isGoogle(String path) {
        return path.startsWith("/v1beta/") || path.equals("/v1beta")
                || (path.startsWith("/v1/models/") && path.indexOf(':') > 0);
    }

    /** Google's error shape: {@code {"error":{"code":404,"message":"...","status":"NOT_FOUND"}}}. */
    public static Map<String, Object> googleError(int status, String message) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("code", status);
        inner.put("message", message);
        inner.put("status", googleStatus(status));
        return Map.of("error", inner);
    }

    /** The {@code google.rpc.Code} name Google's APIs answer with a status. */
    public static String googleStatus(int status) {
        return switch (status) {
            case 400, 413 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 499 -> "CANCELLED";
            case 501 -> "UNIMPLEMENTED";
            case 502, 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }

    public static Map<String, Object> openAiError(ErrorCode error, String message, String param) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("message", message);
        inner.put("type", error.type());
        inner.put("param", param);
        inner.put("code", error.code());
        return Map.of("error", inner);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
