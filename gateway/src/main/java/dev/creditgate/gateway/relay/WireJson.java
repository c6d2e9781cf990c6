package dev.creditgate.gateway.relay;

import java.util.List;
import java.util.function.Consumer;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON steps every wire format shares: reading counts, and the request body sent upstream. */
public final class WireJson {

    private WireJson() {
    }

    /** An int JSON number, or null for anything else (missing, null, text, fraction, too large). */
    public static Integer intOrNull(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }

    /** An int JSON number if it is >= 0, else 0. */
    public static int count(JsonNode n) {
        Integer v = intOrNull(n);
        return v == null ? 0 : Math.max(0, v);
    }

    /**
     * An OpenAI-style {@code usage} object: {@code inputField} (every input token, cached ones included), its
     * {@code <inputField>_details.cached_tokens} as cache reads, {@code outputField} and {@code total_tokens}. Chat
     * completions and embeddings name them {@code prompt_tokens} / {@code completion_tokens}, Responses
     * {@code input_tokens} / {@code output_tokens}.
     */
    public static ReportedUsage openAiUsage(JsonNode usage, String inputField, String outputField) {
        if (usage == null || !usage.isObject()) {
            return ReportedUsage.NONE;
        }
        Integer input = intOrNull(usage.get(inputField));
        int cached = count(usage.path(inputField + "_details").get("cached_tokens"));
        return new ReportedUsage(input, intOrNull(usage.get(outputField)), intOrNull(usage.get("total_tokens")),
                input == null ? CacheTokens.NONE : new CacheTokens(Math.min(cached, Math.max(0, input)), 0, 0));
    }

    /**
     * The body for one channel: the client's bytes unchanged unless the channel maps the model, the exchange's
     * output limit must go into {@code limitFields} (where it is not there yet), or {@code also} (may be null)
     * must change it; then a rewritten copy.
     *
     * @param limitFields the fields of this format that carry the output limit (empty: never set)
     */
    public static byte[] upstreamBody(RelayExchange ex, Channel channel, JsonMapper json, List<String> limitFields,
                                      Consumer<ObjectNode> also) {
        return rewritten(ex.rawBody(), ex.body(), ex.model(), ex.outputLimit(), channel, json, limitFields, also);
    }

    /** The client's body with the model the channel maps it to: its own bytes when the channel maps nothing. */
    public static byte[] withUpstreamModel(byte[] raw, ObjectNode body, String model, Channel channel,
                                           JsonMapper json) {
        return rewritten(raw, body, model, null, channel, json, List.of(), null);
    }

    private static byte[] rewritten(byte[] raw, ObjectNode body, String model, Integer limit, Channel channel,
                                    JsonMapper json, List<String> limitFields, Consumer<ObjectNode> also) {
        String upstreamModel = channel.upstreamModel(model);
        boolean remap = !upstreamModel.equals(model);
        boolean setLimit = limit != null && limitFields.stream().anyMatch(f -> !limit.equals(intOrNull(body.get(f))));
        if (!remap && !setLimit && also == null) {
            return raw;
        }
        ObjectNode copy = body.deepCopy();
        if (remap) {
            copy.put("model", upstreamModel);
        }
        if (setLimit) {
            limitFields.forEach(f -> copy.put(f, limit));
        }
        if (also != null) {
            also.accept(copy);
        }
        return json.writeValueAsBytes(copy);
    }
}
