package dev.creditgate.gateway.channel;

import java.util.List;
import java.util.Map;

/**
 * An upstream provider account.
 *
 * @param type         {@code openai} | {@code anthropic} | {@code gemini} | {@code azure}: the wire format the upstream
 *                     speaks
 * @param baseUrl      without {@code /v1} and without trailing slash ({@code https://api.openai.com})
 * @param models       the model names clients may request through this channel
 * @param modelMapping requested name -> name sent upstream (billing and logs keep the requested name)
 * @param priority     higher tiers are tried first
 * @param weight       relative share inside a tier
 * @param status       1 enabled, 2 disabled (manual), 3 disabled (automatic)
 * @param other        new-api's {@code other}: the API version of an {@code azure} channel (empty: the default)
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
        long createdTime,
        String other) {

    public static final String TYPE_OPENAI = "openai";
    public static final String TYPE_ANTHROPIC = "anthropic";
    /** Google's Generative Language API ({@code generateContent}). */
    public static final String TYPE_GEMINI = "gemini";
    /** Azure OpenAI deployments: OpenAI's wire format at {@code /openai/deployments/{deployment}/...}. */
    public static final String TYPE_AZURE = "azure";
    public static final int ENABLED = 1;

    public Channel {
        other = other == null ? "" : other;
    }

    /** A channel without {@code other}. */
    public Channel(long id, String type, String name, String baseUrl, String apiKey, List<String> models,
                   Map<String, String> modelMapping, long priority, int weight, int status, long usedQuota,
                   long createdTime) {
        this(id, type, name, baseUrl, apiKey, models, modelMapping, priority, weight, status, usedQuota, createdTime,
                "");
    }

    /** The model name to send upstream for a requested one. */
    public String upstreamModel(String requested) {
        return modelMapping.getOrDefault(requested, requested);
    }

    @Override
    public String toString() {
        return "Channel[id=" + id + ", type=" + type + ", name=" + name + ", baseUrl=" + baseUrl + "]";
    }
}
