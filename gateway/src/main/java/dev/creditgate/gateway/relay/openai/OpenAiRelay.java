package dev.creditgate.gateway.relay.openai;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.OpenAiUpstream;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.UpstreamRequest;
import dev.creditgate.gateway.relay.WireRelay;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI-format endpoints relayed to OpenAI-format channels ({@code /v1/chat/completions}, {@code /v1/embeddings}):
 * {@code openai} and {@code azure} ({@link OpenAiUpstream}). What the body and the answers mean: {@link ChatFormat}. Non-stream
 * answers are forwarded byte for byte (a 2xx body that is not JSON is an upstream failure: failover, else 502);
 * chat streams event by event through {@link dev.creditgate.gateway.relay.SseRelay}.
 */
final class OpenAiRelay implements WireRelay {

    private final EndpointKind kind;
    private final String path;
    private final JsonMapper json;
    private final ChatFormat format;

    OpenAiRelay(EndpointKind kind, String path, JsonMapper json) {
        this.kind = kind;
        this.path = path;
        this.json = json;
        this.format = kind == EndpointKind.CHAT_COMPLETIONS ? ChatFormat.chat(json) : ChatFormat.embeddings(json);
    }

    @Override
    public EndpointKind kind() {
        return kind;
    }

    @Override
    public Set<String> channelTypes() {
        return OpenAiUpstream.CHANNEL_TYPES;
    }

    @Override
    public boolean isStream(ObjectNode body) {
        return kind == EndpointKind.CHAT_COMPLETIONS && WireRelay.super.isStream(body);
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        return OpenAiUpstream.request(channel, path, ex.model(), format.upstreamBody(ex, channel), ex.stream());
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        return format.deliver(ex, answer, client, json);
    }
}
