package dev.creditgate.gateway.relay.gemini;

import static dev.creditgate.gateway.relay.WireJson.intOrNull;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.relay.RelayExchange;
import dev.creditgate.gateway.relay.ReportedUsage;
import dev.creditgate.gateway.relay.WireFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Google's {@code generateContent} format (Gemini API).
 *
 * <p>Body: the client's bytes, unless admission sets an output limit: then {@code generationConfig.maxOutputTokens}
 * carries it (the model is in the URL, never in the body). Usage: {@code usageMetadata} of the answer, or of every
 * stream chunk (each count is cumulative: the largest seen wins), read as new-api reads it: prompt
 * {@code promptTokenCount} (the cached tokens included), output {@code candidatesTokenCount + thoughtsTokenCount}
 * (thinking is billed as output; when both are missing, {@code totalTokenCount} minus the prompt and tool-use prompt),
 * cache reads {@code cachedContentTokenCount}. A {@code :streamGenerateContent} answer without {@code alt=sse} (a JSON
 * array of chunks) is read the same way. Text: the candidates' text parts (thoughts included) and function calls.
 */
final class GeminiFormat implements WireFormat {

    private final JsonMapper json;

    GeminiFormat(JsonMapper json) {
        this.json = json;
    }

    @Override
    public byte[] upstreamBody(RelayExchange ex, Channel channel) {
        Integer limit = ex.outputLimit();
        if (limit == null || limit.equals(intOrNull(ex.body().path("generationConfig").get("maxOutputTokens")))) {
            return ex.rawBody();
        }
        ObjectNode copy = ex.body().deepCopy();
        JsonNode config = copy.get("generationConfig");
        ObjectNode generation = config != null && config.isObject() ? (ObjectNode) config
                : copy.putObject("generationConfig");
        generation.put("maxOutputTokens", limit);
        return json.writeValueAsBytes(copy);
    }

    @Override
    public ReportedUsage usage(JsonNode answer) {
        Counts counts = new Counts();
        if (answer.isArray()) {
            answer.forEach(chunk -> counts.add(chunk.path("usageMetadata")));
        } else {
            counts.add(answer.path("usageMetadata"));
        }
        return counts.usage();
    }

    @Override
    public String text(JsonNode answer) {
        StringBuilder sb = new StringBuilder();
        if (answer.isArray()) {
            answer.forEach(chunk -> appendText(chunk, sb));
        } else {
            appendText(answer, sb);
        }
        return sb.toString();
    }

    @Override
    public StreamReader streamReader(RelayExchange ex) {
        return new Stream(json);
    }

    private static void appendText(JsonNode response, StringBuilder sb) {
        for (JsonNode candidate : response.path("candidates")) {
            for (JsonNode part : candidate.path("content").path("parts")) {
                JsonNode text = part.get("text");
                if (text != null && text.isString()) {
                    sb.append(text.asString());
                }
                JsonNode call = part.get("functionCall");
                if (call != null && call.isObject()) {
                    sb.append(call);
                }
            }
        }
    }

    /** The counts of one or more {@code usageMetadata} objects of one answer (cumulative: the largest wins). */
    static final class Counts {
        private Integer prompt;
        private Integer candidates;
        private Integer thoughts;
        private Integer total;
        private Integer toolUsePrompt;
        private int cached;

        void add(JsonNode usage) {
            if (!usage.isObject()) {
                return;
            }
            prompt = max(prompt, intOrNull(usage.get("promptTokenCount")));
            candidates = max(candidates, intOrNull(usage.get("candidatesTokenCount")));
            thoughts = max(thoughts, intOrNull(usage.get("thoughtsTokenCount")));
            total = max(total, intOrNull(usage.get("totalTokenCount")));
            toolUsePrompt = max(toolUsePrompt, intOrNull(usage.get("toolUsePromptTokenCount")));
            Integer c = intOrNull(usage.get("cachedContentTokenCount"));
            if (c != null) {
                cached = Math.max(cached, c);
            }
        }

        ReportedUsage usage() {
            Integer output = null;
            if (candidates != null || thoughts != null) {
                output = (int) Math.min(Integer.MAX_VALUE,
                        (long) nonNegative(candidates) + nonNegative(thoughts));
            } else if (total != null && prompt != null) {
                output = Math.max(0, total - prompt - nonNegative(toolUsePrompt));
            }
            if (prompt == null) {
                return new ReportedUsage(null, output, total, CacheTokens.NONE);
            }
            int in = Math.max(0, prompt);
            return new ReportedUsage(in, output, total, new CacheTokens(Math.min(cached, in), 0, 0));
        }

        private static Integer max(Integer seen, Integer next) {
            if (next == null) {
                return seen;
            }
            return seen == null ? next : Math.max(seen, next);
        }

        private static int nonNegative(Integer n) {
            return n == null ? 0 : Math.max(0, n);
        }
    }

    /** One {@code alt=sse} stream: every event is one {@code GenerateContentResponse} chunk. */
    static final class Stream implements StreamReader {

        private final JsonMapper json;
        private final StringBuilder text = new StringBuilder();
        private final Counts counts = new Counts();

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public byte[] onEvent(String event, byte[] data, byte[] raw) {
            if (data == null || data.length == 0 || data[0] != '{') {
                return raw;
            }
            try {
                JsonNode chunk = json.readTree(data);
                counts.add(chunk.path("usageMetadata"));
                appendText(chunk, text);
            } catch (JacksonException e) {
                // relayed as it came; nothing to read
            }
            return raw;
        }

        @Override
        public ReportedUsage usage() {
            return counts.usage();
        }

        @Override
        public String text() {
            return text.toString();
        }
    }
}
