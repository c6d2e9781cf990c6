package dev.creditgate.gateway.channel.health;

import java.nio.charset.StandardCharsets;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.UpstreamRequest;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The small request that tests a disabled channel: one user message {@code "hi"} with an output limit of 1 token,
 * for the channel's first model (as mapped), in the channel's own format. Not billed, not logged.
 */
final class ProbeRequest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProbeRequest() {
    }

    /** Whether channels of this type can be probed (only those are disabled automatically). */
    static boolean supports(String type) {
        return Channel.TYPE_OPENAI.equals(type) || Channel.TYPE_ANTHROPIC.equals(type);
    }

    /** The probe, or null for a channel type without one. */
    static UpstreamRequest of(Channel channel) {
        if (channel.models().isEmpty()) {
            return null;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("model", channel.upstreamModel(channel.models().getFirst()));
        body.putArray("messages").addObject().put("role", "user").put("content", "hi");
        body.put("max_tokens", 1);
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        return switch (channel.type()) {
            case Channel.TYPE_OPENAI -> UpstreamRequest.post(channel.baseUrl() + "/v1/chat/completions", bytes)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + channel.apiKey())
                    .build();
            case Channel.TYPE_ANTHROPIC -> UpstreamRequest.post(channel.baseUrl() + "/v1/messages", bytes)
                    .header("Content-Type", "application/json")
                    .header("x-api-key", channel.apiKey())
                    .header("anthropic-version", "2023-06-01")
                    .build();
            default -> null;
        };
    }
}
