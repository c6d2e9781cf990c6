package dev.creditgate.gateway.relay.gemini;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.UpstreamRequest;
import dev.creditgate.gateway.relay.WireRelay;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.TokenAuthenticator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent} relayed to {@code gemini}
 * channels at {@code {base_url}/v1beta/models/{upstream model}:...} (the same method, {@code alt=sse} when the client
 * asked for it), with the channel's key in {@code x-goog-api-key}. The model and the stream choice come from the URL,
 * not the body. What the body and the answers mean: {@link GeminiFormat}.
 *
 * <p>One instance per request ({@link #forRequest}).
 */
final class GeminiRelay implements WireRelay {

    private final JsonMapper json;
    private final GeminiFormat format;
    private final String model;
    private final boolean stream;
    private final boolean sse;

    GeminiRelay(JsonMapper json) {
        this(json, new GeminiFormat(json), null, false, false);
    }

    private GeminiRelay(JsonMapper json, GeminiFormat format, String model, boolean stream, boolean sse) {
        this.json = json;
        this.format = format;
        this.model = model;
        this.stream = stream;
        this.sse = sse;
    }

    /** This relay for one request: the model of its URL, whether it streams and whether as SSE. */
    GeminiRelay forRequest(String model, boolean stream, boolean sse) {
        return new GeminiRelay(json, format, model, stream, stream && sse);
    }

    @Override
    public EndpointKind kind() {
        return EndpointKind.GEMINI;
    }

    @Override
    public Set<String> channelTypes() {
        return Set.of(Channel.TYPE_GEMINI);
    }

    /** Google's SDKs send the key in {@code x-goog-api-key}, older clients as {@code ?key=}; a bearer token works too. */
    @Override
    public AuthenticatedToken authenticate(TokenAuthenticator authenticator, HttpServletRequest request) {
        return authenticator.authenticate(request.getHeader("Authorization"), GoogleApiKey.of(request),
                request.getRemoteAddr());
    }

    @Override
    public String model(ObjectNode body) {
        return model;
    }

    @Override
    public boolean isStream(ObjectNode body) {
        return stream;
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        String base = channel.baseUrl();
        if (base.endsWith("/v1beta")) {
            base = base.substring(0, base.length() - "/v1beta".length());
        }
        String method = stream ? ":streamGenerateContent" + (sse ? "?alt=sse" : "") : ":generateContent";
        String url = base + "/v1beta/models/" + UriUtils.encodePathSegment(channel.upstreamModel(ex.model()),
                java.nio.charset.StandardCharsets.UTF_8) + method;
        return UpstreamRequest.post(url, format.upstreamBody(ex, channel))
                .header("Content-Type", "application/json")
                .header("Accept", sse ? "text/event-stream" : "application/json")
                .header(GoogleApiKey.HEADER, channel.apiKey())
                .build();
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        return format.deliver(ex, answer, client, json);
    }
}
