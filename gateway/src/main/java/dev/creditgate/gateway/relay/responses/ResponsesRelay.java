package dev.creditgate.gateway.relay.responses;

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
 * {@code POST /v1/responses} (OpenAI Responses API) relayed to {@code openai} channels at
 * {@code {base_url}/v1/responses} with the channel's key as a bearer token. What the body and the answers mean:
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
        return Set.of(Channel.TYPE_OPENAI);
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        return UpstreamRequest.post(channel.baseUrl() + "/v1/responses", format.upstreamBody(ex, channel))
                .header("Content-Type", "application/json")
                .header("Accept", ex.stream() ? "text/event-stream" : "application/json")
                .header("Authorization", "Bearer " + channel.apiKey())
                .build();
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        return format.deliver(ex, answer, client, json);
    }
}
