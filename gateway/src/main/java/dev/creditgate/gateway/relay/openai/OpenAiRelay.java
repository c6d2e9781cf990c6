package dev.creditgate.gateway.relay.openai;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.SseLineReader;
import dev.creditgate.gateway.relay.UpstreamClient;
import dev.creditgate.gateway.relay.WireRelay;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI-format endpoints relayed to OpenAI-format channels ({@code /v1/chat/completions}, {@code /v1/embeddings}).
 *
 * <p>The request body is forwarded byte for byte unless something must change: the model (channel model mapping)
 * or, for chat streams, {@code stream_options.include_usage=true} (forced so that usage can be settled). Non-stream
 * answers are forwarded byte for byte; their {@code usage} is read for settlement (a 2xx body that is not JSON
 * is an upstream failure: failover, else 502). Streams are relayed event by
 * event with a flush after each; the usage-only chunk is hidden from clients that did not ask for usage; when the
 * client goes away the upstream connection is closed, not drained.
 */
final class OpenAiRelay implements WireRelay {

    private static final int MAX_SSE_LINE = 4 << 20;
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private final EndpointKind kind;
    private final String path;
    private final JsonMapper json;
    private final UpstreamClient upstream;

    OpenAiRelay(EndpointKind kind, String path, JsonMapper json, UpstreamClient upstream) {
        this.kind = kind;
        this.path = path;
        this.json = json;
        this.upstream = upstream;
    }

    @Override
    public EndpointKind kind() {
        return kind;
    }

    @Override
    public Set<String> channelTypes() {
        return Set.of(Channel.TYPE_OPENAI);
    }

    @Override
    public boolean isStream(ObjectNode body) {
        return kind == EndpointKind.CHAT_COMPLETIONS && WireRelay.super.isStream(body);
    }

    @Override
    public HttpRequest request(RelayExchange ex, Channel channel) {
        return HttpRequest.newBuilder(URI.create(channel.baseUrl() + path))
                .timeout(upstream.responseTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", ex.stream() ? "text/event-stream" : "application/json")
                .header("Authorization", "Bearer " + channel.apiKey())
                .POST(HttpRequest.BodyPublishers.ofByteArray(upstreamBody(ex, channel)))
                .build();
    }

    byte[] upstreamBody(RelayExchange ex, Channel channel) {
        String upstreamModel = channel.upstreamModel(ex.model());
        boolean remap = !upstreamModel.equals(ex.model());
        boolean forceUsage = ex.stream() && !clientWantsUsage(ex.body());
        if (!remap && !forceUsage) {
            return ex.rawBody();
        }
        ObjectNode copy = ex.body().deepCopy();
        if (remap) {
            copy.put("model", upstreamModel);
        }
        if (forceUsage) {
            JsonNode so = copy.get("stream_options");
            ObjectNode options = so != null && so.isObject() ? (ObjectNode) so : copy.putObject("stream_options");
            options.put("include_usage", true);
        }
        return json.writeValueAsBytes(copy);
    }

    static boolean clientWantsUsage(ObjectNode body) {
        JsonNode v = body.path("stream_options").path("include_usage");
        return v.isBoolean() && v.booleanValue();
    }

    @Override
    public UsageReport deliver(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client)
            throws IOException {
        String contentType = answer.headers().firstValue("Content-Type").orElse("application/json");
        if (ex.stream() && contentType.startsWith("text/event-stream")) {
            return deliverStream(ex, answer, client, contentType);
        }
        return deliverWhole(answer, client, contentType);
    }

    private UsageReport deliverWhole(HttpResponse<InputStream> answer, HttpServletResponse client, String contentType)
            throws IOException {
        byte[] body;
        try (InputStream in = answer.body()) {
            body = in.readAllBytes(); // an upstream failure here reaches the pipeline before any client byte
        }
        Integer prompt = null;
        Integer completion = null;
        Integer total = null;
        String text = "";
        try {
            JsonNode tree = json.readTree(body);
            JsonNode usage = tree.path("usage");
            prompt = intOrNull(usage.get("prompt_tokens"));
            completion = intOrNull(usage.get("completion_tokens"));
            total = intOrNull(usage.get("total_tokens"));
            if (prompt == null && completion == null) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode choice : tree.path("choices")) {
                    appendText(sb, choice.path("message"));
                }
                text = sb.toString();
            }
        } catch (JacksonException e) {
            // A 2xx that is not JSON is a broken upstream: nothing was sent yet, so another channel may answer.
            throw new IOException("2xx answer that is not JSON (" + body.length + " bytes)");
        }
        client.setStatus(answer.statusCode());
        client.setContentType(contentType);
        client.setContentLength(body.length);
        boolean disconnected = false;
        try {
            ServletOutputStream out = client.getOutputStream();
            out.write(body);
            out.flush();
        } catch (IOException e) {
            disconnected = true;
        }
        return new UsageReport(prompt, completion, total, text, !disconnected, disconnected);
    }

    private UsageReport deliverStream(RelayExchange ex, HttpResponse<InputStream> answer, HttpServletResponse client,
                                      String contentType) {
        boolean wantsUsage = clientWantsUsage(ex.body());
        client.setStatus(answer.statusCode());
        client.setHeader("Content-Type", contentType);
        client.setHeader("Cache-Control", "no-cache");
        client.setHeader("X-Accel-Buffering", "no");
        StreamState state = new StreamState();
        ByteArrayOutputStream event = new ByteArrayOutputStream(512);
        List<byte[]> lines = new ArrayList<>(4);
        try (InputStream in = answer.body()) {
            ServletOutputStream out = client.getOutputStream();
            SseLineReader reader = new SseLineReader(in, MAX_SSE_LINE);
            while (true) {
                byte[] line;
                try {
                    line = reader.readLine();
                } catch (IOException upstreamBroke) {
                    state.upstreamBroken = true;
                    line = null;
                }
                if (line == null || line.length == 0) {
                    if (!lines.isEmpty()) {
                        byte[] bytes = process(lines, wantsUsage, state, event);
                        lines.clear();
                        if (bytes != null && !write(out, bytes, state)) {
                            break; // client gone: leave, closing (not draining) the upstream
                        }
                    }
                    if (line == null) {
                        break;
                    }
                    continue;
                }
                lines.add(line);
            }
        } catch (IOException e) {
            state.clientDisconnected = true; // getOutputStream or close failed
        }
        return new UsageReport(state.prompt, state.completion, state.total, state.text.toString(), state.anyByte,
                state.clientDisconnected);
    }

    /** One SSE event: returns the bytes to send (null to hide it) and records usage and text. */
    private byte[] process(List<byte[]> lines, boolean wantsUsage, StreamState state, ByteArrayOutputStream event) {
        event.reset();
        byte[] data = lines.size() == 1 ? dataOf(lines.get(0)) : null;
        if (data != null && data.length > 0 && data[0] == '{') {
            try {
                JsonNode chunk = json.readTree(data);
                JsonNode usage = chunk.get("usage");
                boolean hasUsage = usage != null && usage.isObject();
                if (hasUsage) {
                    state.prompt = intOrNull(usage.get("prompt_tokens"));
                    state.completion = intOrNull(usage.get("completion_tokens"));
                    state.total = intOrNull(usage.get("total_tokens"));
                }
                JsonNode choices = chunk.path("choices");
                for (JsonNode choice : choices) {
                    appendText(state.text, choice.path("delta"));
                }
                if (hasUsage && !wantsUsage) {
                    if (choices.isEmpty()) {
                        return null; // the usage-only chunk the client did not ask for
                    }
                    ((ObjectNode) chunk).remove("usage");
                    event.writeBytes(DATA);
                    event.write(' ');
                    event.writeBytes(json.writeValueAsBytes(chunk));
                    event.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
                    return event.toByteArray();
                }
            } catch (JacksonException e) {
                // not JSON: forwarded as the upstream sent it
            }
        }
        for (byte[] line : lines) {
            event.writeBytes(line);
            event.write('\n');
        }
        event.write('\n');
        return event.toByteArray();
    }

    private static boolean write(ServletOutputStream out, byte[] bytes, StreamState state) {
        try {
            out.write(bytes);
            out.flush();
            state.anyByte = true;
            return true;
        } catch (IOException e) {
            state.clientDisconnected = true;
            return false;
        }
    }

    /** The payload of a {@code data:} line, or null for other lines. */
    private static byte[] dataOf(byte[] line) {
        if (line.length < DATA.length) {
            return null;
        }
        for (int i = 0; i < DATA.length; i++) {
            if (line[i] != DATA[i]) {
                return null;
            }
        }
        int start = DATA.length;
        if (start < line.length && line[start] == ' ') {
            start++;
        }
        return java.util.Arrays.copyOfRange(line, start, line.length);
    }

    private static void appendText(StringBuilder sb, JsonNode message) {
        JsonNode content = message.get("content");
        if (content != null && content.isString()) {
            sb.append(content.asString());
        }
        JsonNode reasoning = message.get("reasoning_content");
        if (reasoning != null && reasoning.isString()) {
            sb.append(reasoning.asString());
        }
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode args = call.path("function").get("arguments");
            if (args != null && args.isString()) {
                sb.append(args.asString());
            }
        }
    }

    private static Integer intOrNull(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }

    private static final class StreamState {
        Integer prompt;
        Integer completion;
        Integer total;
        final StringBuilder text = new StringBuilder();
        boolean anyByte;
        boolean clientDisconnected;
        boolean upstreamBroken;
    }
}
