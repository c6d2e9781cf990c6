package dev.creditgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code /_mock/...}: control over HTTP, for scripts running the mock as a separate process.
 * <ul>
 * <li>{@code GET /_mock/stats}: counters</li>
 * <li>{@code GET /_mock/config}: current settings and fault (never the api key itself)</li>
 * <li>{@code POST /_mock/config}: change knobs; only the keys present change (see {@link #KEYS})</li>
 * <li>{@code POST /_mock/reset}: back to the startup settings, counters zeroed</li>
 * <li>{@code GET /_mock/requests}: the recorded requests</li>
 * </ul>
 */
final class MockControl {

    static final Set<String> FAULT_KEYS = Set.of("delayMs", "chunkDelayMs", "failStatus", "failMessage", "garbage",
            "omitUsage", "cutAfterChunks");
    static final Set<String> KEYS = Set.of("text", "replyChunks", "chunks", "promptTokens", "completionTokens",
            "apiKey", "models", "embeddingDimensions", "recordLimit", "nextCalls", "delayMs", "chunkDelayMs",
            "failStatus", "failMessage", "garbage", "omitUsage", "cutAfterChunks", "cacheTokens",
            "answerAtOutputLimit", "defaultOutputLimit", "exceedOutputLimit", "outputTokensPerChunk", "thoughtsTokens");

    private MockControl() {
    }

    static void handle(MockUpstream mock, HttpExchange ex, String path, byte[] body) throws IOException {
        String method = ex.getRequestMethod();
        try {
            switch (method + " " + path) {
                case "GET /_mock/stats" -> MockUpstream.sendJson(ex, 200, stats(mock.stats()));
                case "GET /_mock/config" -> MockUpstream.sendJson(ex, 200, config(mock));
                case "POST /_mock/config" -> {
                    apply(mock, body);
                    MockUpstream.sendJson(ex, 200, config(mock));
                }
                case "POST /_mock/reset" -> {
                    mock.reset();
                    MockUpstream.sendJson(ex, 200, config(mock));
                }
                case "GET /_mock/requests" -> MockUpstream.sendJson(ex, 200, requests(mock.requests()));
                default -> MockUpstream.sendJson(ex, 404, "{\"error\":" + Json.quote("no such control endpoint: "
                        + method + " " + path + " (expected: GET /_mock/stats, GET|POST /_mock/config, "
                        + "POST /_mock/reset, GET /_mock/requests)") + "}");
            }
        } catch (IllegalArgumentException e) {
            MockUpstream.sendJson(ex, 400, "{\"error\":" + Json.quote(e.getMessage()) + "}");
        }
    }

    /** Applies a config document; validates everything before changing anything. */
    static void apply(MockUpstream mock, byte[] body) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("config is not JSON: " + e.getOriginalMessage());
        }
        if (doc == null || !doc.isObject()) {
            throw new IllegalArgumentException("config: expected a JSON object");
        }
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
            if (!KEYS.contains(e.getKey())) {
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown config keys " + unknown + " (expected some of " + KEYS.stream().sorted().toList() + ")");
        }

        // Settings: computed on a scratch copy first so a bad value changes nothing.
        MockUpstream.Settings s = mock.settings();
        List<String> baseChunks = s.baseChunks();
        if (doc.has("text")) {
            baseChunks = MockUpstream.words(string(doc, "text"));
            if (baseChunks.isEmpty()) {
                throw new IllegalArgumentException("text: expected at least one word");
            }
        }
        if (doc.has("replyChunks")) {
            baseChunks = strings(doc, "replyChunks");
            if (baseChunks.isEmpty()) {
                throw new IllegalArgumentException("replyChunks: expected at least one chunk");
            }
        }
        int chunkCount = doc.has("chunks") ? (int) intOrNull(doc, "chunks", 1) : s.chunkCount();
        long prompt = doc.has("promptTokens") ? intOrNull(doc, "promptTokens", 0) : s.promptTokens();
        long completion = doc.has("completionTokens") ? intOrNull(doc, "completionTokens", 0) : s.completionTokens();
        String apiKey = doc.has("apiKey") ? (doc.get("apiKey").isNull() ? null : string(doc, "apiKey")) : s.apiKey();
        List<String> models = doc.has("models") ? strings(doc, "models") : s.models();
        int dims = doc.has("embeddingDimensions") ? (int) integer(doc, "embeddingDimensions", 1) : s.embeddingDimensions();
        int recordLimit = doc.has("recordLimit") ? (int) integer(doc, "recordLimit", 0) : s.recordLimit();
        Call.Cache cache = doc.has("cacheTokens") ? cacheTokens(doc.get("cacheTokens")) : null;
        long thoughts = doc.has("thoughtsTokens") ? integer(doc, "thoughtsTokens", 0) : -1;

        OutputLimit limit = mock.outputLimit();
        if (doc.has("answerAtOutputLimit")) {
            limit = limit.withAnswerAtLimit(bool(doc, "answerAtOutputLimit"));
        }
        if (doc.has("defaultOutputLimit")) {
            limit = limit.withDefaultLimit(integer(doc, "defaultOutputLimit", 1));
        }
        if (doc.has("exceedOutputLimit")) {
            limit = limit.withExceedBy(integer(doc, "exceedOutputLimit", 0));
        }
        if (doc.has("outputTokensPerChunk")) {
            limit = limit.withTokensPerChunk((int) integer(doc, "outputTokensPerChunk", 1));
        }

        boolean hasFault = FAULT_KEYS.stream().anyMatch(doc::has);
        int nextCalls = doc.has("nextCalls") ? (int) integer(doc, "nextCalls", 1) : 0;
        if (nextCalls > 0 && !hasFault) {
            throw new IllegalArgumentException("nextCalls given without any fault key " + FAULT_KEYS.stream().sorted().toList());
        }
        Fault fault = null;
        if (hasFault) {
            fault = nextCalls > 0 ? Fault.NONE : mock.fault();
            if (doc.has("delayMs")) {
                fault = fault.withDelay(Duration.ofMillis(integer(doc, "delayMs", 0)));
            }
            if (doc.has("chunkDelayMs")) {
                fault = fault.withChunkDelay(Duration.ofMillis(integer(doc, "chunkDelayMs", 0)));
            }
            if (doc.has("failStatus") || doc.has("failMessage")) {
                int status = doc.has("failStatus") ? (int) integer(doc, "failStatus", 0) : fault.status();
                String message = doc.has("failMessage") && !doc.get("failMessage").isNull()
                        ? string(doc, "failMessage") : doc.has("failMessage") ? null : fault.message();
                if (status != 0 && (status < 100 || status > 599)) {
                    throw new IllegalArgumentException("failStatus: " + status + " (expected: 0 (off) or 100..599)");
                }
                fault = fault.withStatus(status, message);
            }
            if (doc.has("garbage")) {
                fault = new Fault(fault.delay(), fault.chunkDelay(), fault.status(), fault.message(),
                        bool(doc, "garbage"), fault.omitUsage(), fault.cutAfterChunks(), fault.cutAtStart());
            }
            if (doc.has("omitUsage")) {
                fault = new Fault(fault.delay(), fault.chunkDelay(), fault.status(), fault.message(),
                        fault.garbage(), bool(doc, "omitUsage"), fault.cutAfterChunks(), fault.cutAtStart());
            }
            if (doc.has("cutAfterChunks")) {
                long cut = doc.get("cutAfterChunks").isNull() ? -1 : integer(doc, "cutAfterChunks", -1);
                fault = fault.withCutAfter((int) cut);
            }
        }

        mock.settings(new MockUpstream.Settings(baseChunks, chunkCount, prompt, completion, apiKey, models, dims,
                recordLimit));
        if (doc.has("recordLimit")) {
            mock.recordLimit(recordLimit);
        }
        OutputLimit nextLimit = limit;
        mock.updateOutputLimit(o -> nextLimit);
        if (cache != null) {
            mock.cacheTokens(cache.read(), cache.write(), cache.write1h());
        }
        if (thoughts >= 0) {
            mock.thoughtsTokens(thoughts);
        }
        if (fault != null) {
            if (nextCalls > 0) {
                mock.faultNext(nextCalls, fault);
            } else {
                mock.fault(fault);
            }
        }
    }

    private static String string(JsonNode doc, String key) {
        JsonNode node = doc.get(key);
        if (!node.isString()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: a string)");
        }
        return node.stringValue();
    }

    private static List<String> strings(JsonNode doc, String key) {
        JsonNode node = doc.get(key);
        List<String> list = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (!element.isString()) {
                    throw new IllegalArgumentException(key + ": " + node + " (expected: an array of strings)");
                }
                list.add(element.stringValue());
            }
            return List.copyOf(list);
        }
        throw new IllegalArgumentException(key + ": " + node + " (expected: an array of strings)");
    }

    private static long integer(JsonNode doc, String key, long min) {
        JsonNode node = doc.get(key);
        if (!node.isIntegralNumber() || node.asLong() < min) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: an integer >= " + min + ")");
        }
        return node.asLong();
    }

    /** An integer >= min, or null meaning "unset" (-1). */
    private static long intOrNull(JsonNode doc, String key, long min) {
        if (doc.get(key).isNull()) {
            return -1;
        }
        return integer(doc, key, min);
    }

    /** {@code {"read","write","write1h"}} (a missing one: 0), or null for none. */
    private static Call.Cache cacheTokens(JsonNode node) {
        if (node.isNull()) {
            return Call.Cache.NONE;
        }
        if (!node.isObject() || !Set.of("read", "write", "write1h").containsAll(node.propertyNames())) {
            throw new IllegalArgumentException("cacheTokens: " + node
                    + " (expected: an object of read, write, write1h, or null)");
        }
        return new Call.Cache(node.has("read") ? integer(node, "read", 0) : 0,
                node.has("write") ? integer(node, "write", 0) : 0,
                node.has("write1h") ? integer(node, "write1h", 0) : 0);
    }

    private static boolean bool(JsonNode doc, String key) {
        JsonNode node = doc.get(key);
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(key + ": " + node + " (expected: true or false)");
        }
        return node.booleanValue();
    }

    static String stats(MockUpstream.Stats stats) {
        StringBuilder sb = new StringBuilder(300);
        sb.append("{\"calls\":").append(stats.calls()).append(",\"callsByPath\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : stats.callsByPath().entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Json.str(sb, e.getKey()).append(':').append(e.getValue());
        }
        return sb.append("},\"streamsStarted\":").append(stats.streamsStarted())
                .append(",\"streamsCompleted\":").append(stats.streamsCompleted())
                .append(",\"streamsAbortedByClient\":").append(stats.streamsAbortedByClient())
                .append(",\"streamsCut\":").append(stats.streamsCut())
                .append(",\"activeStreams\":").append(stats.activeStreams()).append('}').toString();
    }

    static String config(MockUpstream mock) {
        MockUpstream.Settings s = mock.settings();
        Fault f = mock.fault();
        StringBuilder sb = new StringBuilder(400);
        sb.append("{\"replyChunks\":");
        array(sb, mock.replyChunks());
        sb.append(",\"chunks\":").append(mock.replyChunks().size())
                .append(",\"promptTokens\":").append(s.promptTokens() < 0 ? "null" : s.promptTokens())
                .append(",\"completionTokens\":").append(s.completionTokens() < 0 ? "null" : s.completionTokens())
                .append(",\"apiKeyRequired\":").append(s.apiKey() != null)
                .append(",\"models\":");
        array(sb, s.models());
        sb.append(",\"embeddingDimensions\":").append(s.embeddingDimensions())
                .append(",\"recordLimit\":").append(s.recordLimit())
                .append(",\"answerAtOutputLimit\":").append(mock.outputLimit().answerAtLimit())
                .append(",\"defaultOutputLimit\":").append(mock.outputLimit().defaultLimit())
                .append(",\"exceedOutputLimit\":").append(mock.outputLimit().exceedBy())
                .append(",\"outputTokensPerChunk\":").append(mock.outputLimit().tokensPerChunk())
                .append(",\"cacheTokens\":{\"read\":").append(mock.cache().read())
                .append(",\"write\":").append(mock.cache().write())
                .append(",\"write1h\":").append(mock.cache().write1h()).append('}')
                .append(",\"thoughtsTokens\":").append(mock.thoughtsTokens())
                .append(",\"fault\":{\"delayMs\":").append(f.delay().toMillis())
                .append(",\"chunkDelayMs\":").append(f.chunkDelay().toMillis())
                .append(",\"failStatus\":").append(f.status())
                .append(",\"failMessage\":");
        Json.str(sb, f.message());
        return sb.append(",\"garbage\":").append(f.garbage())
                .append(",\"omitUsage\":").append(f.omitUsage())
                .append(",\"cutAfterChunks\":").append(f.cutAfterChunks())
                .append("},\"queuedFaults\":").append(mock.queuedFaults()).append('}').toString();
    }

    static String requests(List<RecordedRequest> requests) {
        StringBuilder sb = new StringBuilder(256 * (requests.size() + 1)).append('[');
        for (int i = 0; i < requests.size(); i++) {
            RecordedRequest r = requests.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"method\":");
            Json.str(sb, r.method()).append(",\"path\":");
            Json.str(sb, r.path()).append(",\"query\":");
            Json.str(sb, r.query() == null ? null : r.query().replaceAll("(^|&)key=[^&]*", "$1key=<redacted>"))
                    .append(",\"headers\":{");
            boolean first = true;
            for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
                Json.str(sb, name).append(':');
                // Credentials stay out of answers: scripts see that a key was sent, not the key.
                array(sb, name.equals("authorization") || name.equals("x-api-key") || name.equals("x-goog-api-key")
                        || name.equals("api-key")
                        ? h.getValue().stream().map(v -> "<redacted " + v.length() + " chars>").toList()
                        : h.getValue());
            }
            sb.append("},\"body\":");
            Json.str(sb, new String(r.body(), StandardCharsets.UTF_8)).append('}');
        }
        return sb.append(']').toString();
    }

    private static void array(StringBuilder sb, List<String> values) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Json.str(sb, values.get(i));
        }
        sb.append(']');
    }
}
