package dev.creditgate.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import dev.creditgate.gateway.channel.Channel;
import org.springframework.web.util.UriUtils;

/**
 * The upstream request of an OpenAI-format endpoint ({@code /v1/chat/completions}, {@code /v1/responses},
 * {@code /v1/embeddings}) for the two channel types that speak it:
 * <ul>
 *   <li>{@code openai}: {@code {base_url}/v1/...}, {@code Authorization: Bearer <key>};</li>
 *   <li>{@code azure} (Azure OpenAI): {@code {base_url}/openai/deployments/{deployment}/...?api-version=V},
 *       {@code api-key: <key>}. The deployment is the model the channel sends upstream (its {@code model_mapping}
 *       maps a requested model to a deployment name; without a mapping the deployment is named like the model).
 *       {@code V} is the channel's {@code other} (new-api keeps the Azure API version there), else
 *       {@value #DEFAULT_API_VERSION} ({@value #DEFAULT_RESPONSES_API_VERSION} for Responses, which Azure serves
 *       only in preview versions).</li>
 * </ul>
 */
public final class OpenAiUpstream {

    /** The channel types an OpenAI-format endpoint is served by. */
    public static final Set<String> CHANNEL_TYPES = Set.of(Channel.TYPE_OPENAI, Channel.TYPE_AZURE);
    /** Azure OpenAI's GA data-plane version, used when an {@code azure} channel names none. */
    public static final String DEFAULT_API_VERSION = "2024-10-21";
    /** The Responses API on Azure needs a preview version. */
    public static final String DEFAULT_RESPONSES_API_VERSION = "2025-04-01-preview";

    private OpenAiUpstream() {
    }

    /**
     * @param path the OpenAI path, {@code /v1/chat/completions}, {@code /v1/responses} or {@code /v1/embeddings}
     * @param model the model the client asked for (the channel maps it to what it sends upstream)
     */
    public static UpstreamRequest request(Channel channel, String path, String model, byte[] body, boolean stream) {
        UpstreamRequest.Builder b;
        if (Channel.TYPE_AZURE.equals(channel.type())) {
            String version = !channel.other().isBlank() ? channel.other()
                    : path.equals("/v1/responses") ? DEFAULT_RESPONSES_API_VERSION : DEFAULT_API_VERSION;
            String url = channel.baseUrl() + "/openai/deployments/"
                    + UriUtils.encodePathSegment(channel.upstreamModel(model), StandardCharsets.UTF_8)
                    + path.substring("/v1".length()) + "?api-version="
                    + UriUtils.encodeQueryParam(version, StandardCharsets.UTF_8);
            b = UpstreamRequest.post(url, body).header("api-key", channel.apiKey());
        } else {
            b = UpstreamRequest.post(channel.baseUrl() + path, body)
                    .header("Authorization", "Bearer " + channel.apiKey());
        }
        return b.header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .build();
    }
}
