package dev.creditgate.gateway.relay;

import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.Token;
import tools.jackson.databind.node.ObjectNode;

/** The state of one relayed request as it moves through the steps. One thread owns it. */
public final class RelayExchange {

    private final String requestId;
    private final long startNanos;
    private final EndpointKind endpoint;
    private AuthenticatedToken auth;
    private byte[] rawBody;
    private ObjectNode body;
    private String model;
    private boolean stream;
    private Channel channel;
    private Integer outputLimit;
    private java.time.Duration maxStreamDuration;
    private boolean streamCut;

    RelayExchange(String requestId, long startNanos, EndpointKind endpoint) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.endpoint = endpoint;
    }

    public String requestId() {
        return requestId;
    }

    public EndpointKind endpoint() {
        return endpoint;
    }

    public AuthenticatedToken auth() {
        return auth;
    }

    /** The request body exactly as the client sent it (forwarded as is when nothing must change). */
    public byte[] rawBody() {
        return rawBody;
    }

    /** The parsed request body; treat as read-only (copy before rewriting). */
    public ObjectNode body() {
        return body;
    }

    /** The model the client asked for: billing and logs use this name. */
    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** The channel of the current (or last) attempt, or null before the first. */
    public Channel channel() {
        return channel;
    }

    /**
     * The output-token limit admission asks the upstream request to carry ({@code max_tokens},
     * {@code max_completion_tokens}, {@code max_output_tokens} by wire format), or null to keep the client's.
     */
    public Integer outputLimit() {
        return outputLimit;
    }

    void outputLimit(Integer outputLimit) {
        this.outputLimit = outputLimit;
    }

    /** How long a stream may be relayed ({@code gateway.relay.max-stream-duration}), or null for no limit. */
    public java.time.Duration maxStreamDuration() {
        return maxStreamDuration;
    }

    void maxStreamDuration(java.time.Duration maxStreamDuration) {
        this.maxStreamDuration = maxStreamDuration;
    }

    /** Whether the gateway ended the stream at {@link #maxStreamDuration}. */
    boolean wasStreamCut() {
        return streamCut;
    }

    void streamCut() {
        this.streamCut = true;
    }

    long startNanos() {
        return startNanos;
    }

    void auth(AuthenticatedToken auth) {
        this.auth = auth;
    }

    void body(byte[] raw, ObjectNode parsed) {
        this.rawBody = raw;
        this.body = parsed;
    }

    void model(String model, boolean stream) {
        this.model = model;
        this.stream = stream;
    }

    void channel(Channel channel) {
        this.channel = channel;
    }

    AdmissionRequest admissionRequest() {
        Token t = auth.token();
        var info = new AdmissionRequest.TokenInfo(t.id(), t.name(), t.userId(), auth.group(), t.source(),
                t.remoteKeyId(), t.unlimitedQuota(), t.remainQuota());
        return new AdmissionRequest(requestId, info, model, endpoint, stream, body);
    }
}
