package dev.creditgate.gateway.relay.translate;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.JsonAnswer;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.SseRelay;
import dev.creditgate.gateway.relay.UpstreamRequest;
import dev.creditgate.gateway.relay.WireFormat;
import dev.creditgate.gateway.relay.WireRelay;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An endpoint's relay that also serves its clients from channels of the other wire format: a channel of the
 * endpoint's own type goes through the native relay untouched, one of the other type through a {@link Translation}
 * (request, whole answer, stream and errors rewritten; usage read in the upstream's format, so the settlement prices
 * what the upstream reported).
 *
 * <p>Channel choice: the native type first (priority tiers, weights), then the other type, within the pipeline's
 * attempt limit; so a translated channel serves a model when no native one does, or after the native ones failed.
 * (new-api orders by priority alone, whatever the type; we prefer the lossless path.)
 */
public final class CrossFormatRelay implements WireRelay {

    /** Wraps an endpoint's native relay (which may be made per request, as {@code /v1/messages}'s is). */
    public static final class Factory {
        private final Translation translation;
        private final Set<String> fallbackTypes;
        private final JsonMapper json;

        private Factory(Translation translation, JsonMapper json) {
            this.translation = translation;
            this.fallbackTypes = Set.of(translation.channelType());
            this.json = json;
        }

        public WireRelay wrap(WireRelay nativeRelay) {
            return new CrossFormatRelay(nativeRelay, translation, fallbackTypes, json);
        }
    }

    /** {@code /v1/messages} also served by {@code openai} channels. */
    public static Factory messagesViaChat(JsonMapper json) {
        return new Factory(new MessagesViaChat(json), json);
    }

    /** {@code /v1/chat/completions} also served by {@code anthropic} channels. */
    public static Factory chatViaMessages(JsonMapper json) {
        return new Factory(new ChatViaMessages(json), json);
    }

    private final WireRelay nativeRelay;
    private final Translation translation;
    private final Set<String> fallbackTypes;
    private final JsonMapper json;

    private CrossFormatRelay(WireRelay nativeRelay, Translation translation, Set<String> fallbackTypes,
                             JsonMapper json) {
        this.nativeRelay = nativeRelay;
        this.translation = translation;
        this.fallbackTypes = fallbackTypes;
        this.json = json;
    }

    private boolean translated(Channel channel) {
        return channel != null && channel.type().equals(translation.channelType());
    }

    @Override
    public EndpointKind kind() {
        return nativeRelay.kind();
    }

    @Override
    public Set<String> channelTypes() {
        return nativeRelay.channelTypes();
    }

    @Override
    public Set<String> fallbackChannelTypes() {
        return fallbackTypes;
    }

    @Override
    public boolean isStream(ObjectNode body) {
        return nativeRelay.isStream(body);
    }

    @Override
    public UpstreamRequest request(RelayExchange ex, Channel channel) {
        return translated(channel) ? translation.request(ex, channel) : nativeRelay.request(ex, channel);
    }

    @Override
    public byte[] errorBody(RelayExchange ex, int status, byte[] body) {
        return translated(ex.channel()) ? translation.error(status, body) : nativeRelay.errorBody(ex, status, body);
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        if (!translated(ex.channel())) {
            return nativeRelay.deliver(ex, answer, client);
        }
        WireFormat upstream = translation.upstreamFormat();
        String contentType = answer.headers().firstValue("Content-Type").orElse("application/json");
        if (ex.stream() && contentType.startsWith("text/event-stream")) {
            WireFormat.StreamReader usage = upstream.streamReader(ex);
            Translation.StreamTranslator stream = translation.stream(ex);
            SseRelay.Outcome outcome = SseRelay.relay(answer, client, (event, data, raw) -> {
                usage.onEvent(event, data, raw); // reads the upstream's usage and text; its output is not sent
                return stream.onEvent(event, parse(data), data == null ? "" : new String(data, StandardCharsets.UTF_8));
            }, translation.trailerOnBreak());
            return usage.usage().report(usage.text(), outcome.anyByteDelivered(), outcome.clientDisconnected(),
                    outcome.completed());
        }
        JsonAnswer whole = JsonAnswer.read(answer, json);
        byte[] body = json.writeValueAsBytes(translation.answer(ex, whole.tree()));
        boolean written = write(client, answer.statusCode(), body);
        // Read whole: billed upstream, so charged even when the client left before it was written.
        return upstream.usage(whole.tree()).report(upstream.text(whole.tree()), written, !written, true);
    }

    private JsonNode parse(byte[] data) {
        if (data == null || data.length == 0 || data[0] != '{') {
            return null;
        }
        try {
            return json.readTree(data);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static boolean write(HttpServletResponse client, int status, byte[] body) {
        client.setStatus(status);
        client.setContentType("application/json");
        client.setContentLength(body.length);
        try {
            ServletOutputStream out = client.getOutputStream();
            out.write(body);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
