package dev.creditgate.gateway.relay.responses;

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

/**
 * {@code POST /v1/responses} (OpenAI Responses API) relayed to {@code openai} channels at
 * {@code {base_url}/v1/responses} with the channel's key as a bearer token, and to {@code azure} channels
 * ({@link OpenAiUpstream}). What the body and the answers mean:
 * {@link ResponsesFormat}. Events are relayed as they come, flushed after each.
 */
final class ResponsesRelay implements WireRelay {

    private final JsonMapper json;
    private final ResponsesFormat format;

    ResponsesRelay(JsonMapper json) {
        this.json = json;
        this.format = new ResponsesFormat(json);
    }

    @Override
    public EndpointKind kind() {
        return EndpointKind.RESPONSES;
    }

    @Override
    public Set<String> channelTypes() {
        return OpenAiUpstream.CHANNEL_TYPES;
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        return OpenAiUpstream.request(channel, "/v1/responses", ex.model(), format.upstreamBody(ex, channel),
                ex.stream());
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        return format.deliver(ex, answer, client, json);
    }
}
