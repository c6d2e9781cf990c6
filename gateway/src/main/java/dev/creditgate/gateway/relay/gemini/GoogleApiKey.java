package dev.creditgate.gateway.relay.gemini;

import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.util.UriUtils;

/** Where Google's clients put the key: {@code x-goog-api-key}, or the {@code key} query parameter. */
public final class GoogleApiKey {

    public static final String HEADER = "x-goog-api-key";

    private GoogleApiKey() {
    }

    /** The key of a request to a Google route, or null (the caller may still accept a bearer token). */
    public static String of(HttpServletRequest request) {
        String key = request.getHeader(HEADER);
        return key != null && !key.isBlank() ? key : queryParameter(request, "key");
    }

    /** A query parameter, read from the query string only (never from a form body, which is the relay's to read). */
    static String queryParameter(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return UriUtils.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
