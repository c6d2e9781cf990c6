package dev.creditgate.gateway.relay;

import dev.creditgate.gateway.admission.EndpointKind;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds {@link RelayExchange}s for unit tests of the wire formats (its setters are the pipeline's). */
public final class Exchanges {

    private Exchanges() {
    }

    /** An exchange after authentication and admission: the client's body and the output limit admission set. */
    public static RelayExchange of(EndpointKind endpoint, String body, boolean stream, Integer outputLimit) {
        RelayExchange ex = new RelayExchange("test", System.nanoTime(), endpoint);
        ObjectNode parsed = (ObjectNode) JsonMapper.builder().build().readTree(body);
        ex.body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), parsed);
        ex.model(parsed.path("model").asString(), stream);
        ex.outputLimit(outputLimit);
        return ex;
    }
}
