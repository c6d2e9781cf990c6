package dev.creditgate.gateway.relay;

import java.util.List;
import java.util.function.Consumer;

import dev.creditgate.gateway.channel.Channel;
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
     * The body for one channel: the client's bytes unchanged unless the channel maps the model, the exchange's
     * output limit must go into {@code limitFields} (where it is not there yet), or {@code also} (may be null)
     * must change it; then a rewritten copy.
     *
     * @param limitFields the fields of this format that carry the output limit (empty: never set)
     */
    public static byte[] upstreamBody(RelayExchange ex, Channel channel, JsonMapper json, List<String> limitFields,
                                      Consumer<ObjectNode> also) {
        String upstreamModel = channel.upstreamModel(ex.model());
        boolean remap = !upstreamModel.equals(ex.model());
        Integer limit = ex.outputLimit();
        boolean setLimit = limit != null && limitFields.stream().anyMatch(f -> !limit.equals(intOrNull(ex.body().get(f))));
        if (!remap && !setLimit && also == null) {
            return ex.rawBody();
        }
        ObjectNode copy = ex.body().deepCopy();
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

    /** The client's body with the model the channel maps it to: its own bytes when the channel maps nothing. */
    public static byte[] withUpstreamModel(byte[] raw, ObjectNode body, String model, Channel channel,
                                           JsonMapper json) {
        String upstreamModel = channel.upstreamModel(model);
        if (upstreamModel.equals(model)) {
            return raw;
        }
        ObjectNode copy = body.deepCopy();
        copy.put("model", upstreamModel);
        return json.writeValueAsBytes(copy);
    }
}
