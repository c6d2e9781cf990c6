package dev.creditgate.gateway.channel;

import java.util.List;
import java.util.Map;

/**
 * An upstream provider account.
 *
 * @param type         {@code openai} | {@code anthropic}: the wire format the upstream speaks
 * @param baseUrl      without {@code /v1} and without trailing slash ({@code https://api.openai.com})
 * @param models       the model names clients may request through this channel
 * @param modelMapping requested name -> name sent upstream (billing and logs keep the requested name)
 * @param priority     higher tiers are tried first
 * @param weight       relative share inside a tier
 * @param status       1 enabled, 2 disabled (manual), 3 disabled (automatic)
 */
public record Channel(
        long id,
        String type,
        String name,
        String baseUrl,
        String apiKey,
        List<String> models,
        Map<String, String> modelMapping,
        long priority,
        int weight,
        int status,
        long usedQuota,
        long createdTime) {

    public static final String TYPE_OPENAI = "openai";
    public static final String TYPE_ANTHROPIC = "anthropic";
    public static final int ENABLED = 1;

    /** The model name to send upstream for a requested one. */
    public String upstreamModel(String requested) {
        return modelMapping.getOrDefault(requested, requested);
    }

    @Override
    public String toString() {
        return "Channel[id=" + id + ", type=" + type + ", name=" + name + ", baseUrl=" + baseUrl + "]";
    }
}
