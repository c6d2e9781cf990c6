package dev.creditgate.gateway.relay;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One request to an upstream provider, as {@link UpstreamClient} sends it: method, absolute {@code http(s)} URI,
 * headers in order, and the whole body. {@code Host}, {@code Content-Length} and the connection headers are the
 * client's business.
 *
 * @param headers name, value, name, value, ...
 */
public record UpstreamRequest(String method, URI uri, List<String> headers, byte[] body) {

    public UpstreamRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** A POST of {@code body} to {@code url}. */
    public static Builder post(String url, byte[] body) {
        return new Builder("POST", URI.create(url), body);
    }

    /** The value of the first header named {@code name} (case-insensitive), or null. */
    public String header(String name) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equalsIgnoreCase(name)) {
                return headers.get(i + 1);
            }
        }
        return null;
    }

    /** Collects headers; refuses what could not be sent as one header line. */
    public static final class Builder {

        private final String method;
        private final URI uri;
        private final byte[] body;
        private final List<String> headers = new ArrayList<>(8);

        private Builder(String method, URI uri, byte[] body) {
            this.method = method;
            this.uri = uri;
            this.body = body;
        }

        /** @throws IllegalArgumentException for an empty name, or a name or value with control characters */
        public Builder header(String name, String value) {
            if (name.isEmpty() || !plain(name, false) || !plain(value, true)) {
                throw new IllegalArgumentException("invalid header " + name + " (control characters or empty name)");
            }
            headers.add(name);
            headers.add(value);
            return this;
        }

        public UpstreamRequest build() {
            return new UpstreamRequest(method, uri, headers, body);
        }

        private static boolean plain(String s, boolean value) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || c > 0xff || (!value && (c <= ' ' || c == ':'))) {
                    return false;
                }
            }
            return true;
        }
    }
}
