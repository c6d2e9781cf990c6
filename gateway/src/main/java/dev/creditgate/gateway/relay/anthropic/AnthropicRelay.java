package dev.creditgate.gateway.relay.anthropic;

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
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/messages} (Anthropic Messages API) relayed to {@code anthropic} channels at
 * {@code {base_url}/v1/messages}, with the channel's key in {@code x-api-key}, the client's
 * {@code anthropic-version} (default {@value #DEFAULT_VERSION}) and {@code anthropic-beta}. What the body and the
 * answers mean: {@link MessagesFormat}.
 *
 * <p>One instance per request ({@link #forClient}): it carries the client's version headers.
 */
final class AnthropicRelay implements WireRelay {

    static final String DEFAULT_VERSION = "2023-06-01";
    private static final int MAX_HEADER = 1024;

    private final JsonMapper json;
    private final MessagesFormat format;
    private final String version;
    private final String beta;

    AnthropicRelay(JsonMapper json) {
        this(json, new MessagesFormat(json), DEFAULT_VERSION, null);
    }

    private AnthropicRelay(JsonMapper json, MessagesFormat format, String version,
                           String beta) {
        this.json = json;
        this.format = format;
        this.version = version;
        this.beta = beta;
    }

    /** This relay for one client request: its {@code anthropic-version} and {@code anthropic-beta} (may be null). */
    AnthropicRelay forClient(String anthropicVersion, String anthropicBeta) {
        String v = usable(anthropicVersion) ? anthropicVersion.strip() : DEFAULT_VERSION;
        String b = usable(anthropicBeta) ? anthropicBeta.strip() : null;
        return new AnthropicRelay(json, format, v, b);
    }

    private static boolean usable(String header) {
        if (header == null || header.isBlank() || header.length() > MAX_HEADER) {
            return false;
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false; // not a plain header value: not forwarded
            }
        }
        return true;
    }

    @Override
    public EndpointKind kind() {
        return EndpointKind.MESSAGES;
    }

    @Override
    public Set<String> channelTypes() {
        return Set.of(Channel.TYPE_ANTHROPIC);
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        return request(channel, "/v1/messages", format.upstreamBody(ex, channel), ex.stream());
    }

    /** A request to the channel's Anthropic API at {@code path}, with its key and this client's version headers. */
    UpstreamRequest request(Channel channel, String path, byte[] body, boolean stream) {
        UpstreamRequest.Builder b = UpstreamRequest.post(channel.baseUrl() + path, body)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .header("x-api-key", channel.apiKey())
                .header("anthropic-version", version);
        if (beta != null) {
            b.header("anthropic-beta", beta);
        }
        return b.build();
    }

    String version() {
        return version;
    }

    String beta() {
        return beta;
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        return format.deliver(ex, answer, client, json);
    }
}
