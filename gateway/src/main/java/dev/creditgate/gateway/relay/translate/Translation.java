package dev.creditgate.gateway.relay.translate;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.UpstreamRequest;
import dev.creditgate.gateway.relay.WireFormat;
import tools.jackson.databind.JsonNode;

/**
 * One direction of translation: a client of one wire format served by a channel of the other. The request is
 * rewritten into the channel's format, its answers (whole, streamed, errors) back into the client's. Usage is read
 * by the channel's own {@link #upstreamFormat()}, so that the settlement prices what the upstream reported.
 */
interface Translation {

    /** The channel type this translation calls. */
    String channelType();

    /** The upstream's wire format: reads its usage and text for the settlement. */
    WireFormat upstreamFormat();

    /** The request to the channel, in its format (model mapped, output limit applied). */
    UpstreamRequest request(RelayExchange ex, Channel channel);

    /** A whole 2xx upstream answer in the client's format. */
    JsonNode answer(RelayExchange ex, JsonNode upstreamAnswer);

    /** A new transformer of one upstream stream into the client's events. */
    StreamTranslator stream(RelayExchange ex);

    /** An upstream error body (any status) in the client's error shape. */
    byte[] error(int status, byte[] upstreamBody);

    /** Sent to the client when the upstream breaks off mid-stream, or null. */
    byte[] trailerOnBreak();

    /** Turns each upstream event into the client's events (several, or none). Must not throw. */
    interface StreamTranslator {

        /**
         * @param event the upstream's {@code event:} name, or null
         * @param data  the upstream's parsed {@code data:} JSON, or null when it is not JSON (e.g. {@code [DONE]})
         * @param raw   the upstream's {@code data:} text
         * @return the client's bytes for it (whole SSE events), or null for none
         */
        byte[] onEvent(String event, JsonNode data, String raw);
    }
}
