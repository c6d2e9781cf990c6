package dev.creditgate.gateway.relay;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the relay request path ({@code gateway.relay.*}); bad values stop the start. The body limit is
 * {@code gateway.max-body-size}, the upstream's silence {@code gateway.upstream.idle-timeout}.
 *
 * @param maxModelNameLength a {@code model} longer than this (in characters), or with a control character, is
 *                           answered 400 before anything else happens (no log row, no channel lookup)
 * @param maxStreamDuration  a relayed stream is ended by the gateway after this long (the client gets the wire
 *                           format's error event; what was delivered is settled, estimated from the text when the
 *                           upstream's usage had not come yet). Keep it below the outbox's
 *                           {@code gateway.usage.outbox.intent-timeout} (30 min), after which recovery would charge
 *                           a still running request at its estimate
 */
@ConfigurationProperties("gateway.relay")
public record RelayLimits(
        @DefaultValue("200") int maxModelNameLength,
        @DefaultValue("20m") Duration maxStreamDuration) {

    public RelayLimits {
        if (maxModelNameLength < 1 || maxModelNameLength > 255) {
            throw new IllegalArgumentException("gateway.relay.max-model-name-length: " + maxModelNameLength
                    + " (expected: 1..255, the log column holds 255)");
        }
        if (maxStreamDuration.toMillis() <= 0) {
            throw new IllegalArgumentException("gateway.relay.max-stream-duration: " + maxStreamDuration
                    + " (expected: > 0)");
        }
    }
}
