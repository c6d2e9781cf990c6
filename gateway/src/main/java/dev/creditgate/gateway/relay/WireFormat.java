package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one wire format knows of its own JSON: how the client's body is changed for the upstream, where an answer
 * reports its usage and text, and what a stream's events mean to the client. One delivery for all formats:
 * {@link #deliver}.
 */
public interface WireFormat {

    /** The body to send to a channel (model mapping, output limit, forced options), or the client's own bytes. */
    byte[] upstreamBody(RelayExchange ex, Channel channel);

    /** The usage of a whole (non-stream) answer. */
    ReportedUsage usage(JsonNode answer);

    /** The generated text of a whole answer (for estimating when it has no usage, or when the client left). */
    String text(JsonNode answer);

    /** A new reader for one stream of this format. */
    StreamReader streamReader(RelayExchange ex);

    /** Sent to the client when the upstream breaks off mid-stream (an error event in this format), or null. */
    default byte[] trailerOnBreak() {
        return null;
    }

    /** Sees every event of one stream, passes, rewrites or hides it, and collects its usage and text. */
    interface StreamReader extends SseRelay.EventTransformer {

        ReportedUsage usage();

        String text();
    }

    /**
     * Copies a 2xx upstream answer to the client (event by event when the client asked for a stream and the upstream
     * answered one, else whole) and reports its usage.
     *
     * @throws IOException only when nothing reached the client, so that the pipeline may fail over: a stream that
     *                     failed or ended before its first event, a whole answer that could not be read or is not JSON
     */
    default UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client,
                                JsonMapper json) throws IOException {
        String contentType = answer.headers().firstValue("Content-Type").orElse("application/json");
        if (ex.stream() && contentType.startsWith("text/event-stream")) {
            StreamReader reader = streamReader(ex);
            SseRelay.Outcome outcome = SseRelay.relay(answer, client, reader, trailerOnBreak(),
                    ex.maxStreamDuration());
            if (outcome.durationExceeded()) {
                ex.streamCut();
            }
            return reader.usage().report(reader.text(), outcome.anyByteDelivered(), outcome.clientDisconnected(),
                    outcome.completed());
        }
        JsonAnswer whole = JsonAnswer.read(answer, json);
        boolean written = whole.writeTo(answer, client);
        // Read whole: billed upstream, so charged even when the client left before it was written.
        return usage(whole.tree()).report(text(whole.tree()), written, !written, true);
    }
}
