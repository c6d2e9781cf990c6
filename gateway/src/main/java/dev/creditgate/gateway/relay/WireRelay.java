package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.TokenAuthenticator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.node.ObjectNode;

/**
 * Step 5 of the relay for one endpoint of one wire format: how to call a channel and how to hand a successful
 * answer to the client. The failover loop, errors and bookkeeping live in {@link RelayPipeline}.
 */
public interface WireRelay {

    EndpointKind kind();

    /** The channel types that speak this endpoint's wire format. */
    Set<String> channelTypes();

    /**
     * Channel types that serve this endpoint through translation when no channel of {@link #channelTypes()} does
     * (tried after those); none by default.
     */
    default Set<String> fallbackChannelTypes() {
        return Set.of();
    }

    /** The body of an upstream error answer as the client gets it: the upstream's own by default. */
    default byte[] errorBody(RelayExchange exchange, int status, byte[] upstreamBody) {
        return upstreamBody;
    }

    /** Step 1: the client's key where this route carries it (default: {@code Authorization}, {@code x-api-key}). */
    default AuthenticatedToken authenticate(TokenAuthenticator authenticator, HttpServletRequest request) {
        return authenticator.authenticate(request.getHeader("Authorization"), request.getHeader("x-api-key"),
                request.getRemoteAddr());
    }

    /** The model the client asked for (default: the body's {@code model}, 400 without one). */
    default String model(ObjectNode body) {
        return RequestBodyReader.requireModel(body);
    }

    /** Whether the client asked for a stream. */
    default boolean isStream(ObjectNode body) {
        var s = body.get("stream");
        return s != null && s.isBoolean() && s.booleanValue();
    }

    /** The upstream request for one channel (model mapping and forced options applied). */
    UpstreamRequest request(RelayExchange exchange, Channel channel);

    /**
     * Copies a 2xx upstream answer to the client and reports the usage.
     *
     * @throws IOException only when nothing reached the client (the upstream failed before its answer was read);
     *                     the pipeline may then fail over. Failures after the first byte are reported in the result.
     */
    UsageReport deliver(RelayExchange exchange, HttpResponse<InputStream> upstream, HttpServletResponse client)
            throws IOException;
}
