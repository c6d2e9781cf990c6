package dev.creditgate.gateway.channel;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.creditgate.gateway.web.ApiResponse;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.JsonBody;
import dev.creditgate.gateway.web.PageResult;
import dev.creditgate.gateway.web.Paging;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Channels: {@code POST /api/channel/ {name, type, base_url, key, models, model_mapping, priority, weight, status,
 * other}}
 * (also new-api's wrapped form {@code {mode, channel: {...}}}), {@code GET /api/channel/?p=&page_size=},
 * {@code GET /api/channel/:id}, {@code PUT /api/channel/ {id, ...}} (only present fields change),
 * {@code DELETE /api/channel/:id}. The upstream key is never shown back. Each channel shows its health:
 * {@code status} (3 = disabled automatically, see {@code ChannelHealth}), {@code status_reason}, {@code status_time},
 * {@code test_time}, {@code response_time} and new-api's {@code other_info} ({@code {status_reason, status_time}}).
 */
@RestController
@RequestMapping("/api/channel")
public class ChannelController {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The formats we speak, by name and by new-api's numeric channel type. */
    private static final Map<String, String> TYPES = Map.of(
            "openai", Channel.TYPE_OPENAI, "1", Channel.TYPE_OPENAI,
            "anthropic", Channel.TYPE_ANTHROPIC, "14", Channel.TYPE_ANTHROPIC,
            "gemini", Channel.TYPE_GEMINI, "24", Channel.TYPE_GEMINI,
            "azure", Channel.TYPE_AZURE, "3", Channel.TYPE_AZURE);
    /** An Azure api-version: {@code 2024-10-21}, {@code 2025-04-01-preview}. */
    private static final Pattern API_VERSION = Pattern.compile("[A-Za-z0-9.-]{1,64}");

    record ChannelView(
            long id, String type, String name,
            @JsonProperty("base_url") String baseUrl,
            String key,
            String models,
            @JsonProperty("model_mapping") String modelMapping,
            long priority, int weight, int status,
            @JsonProperty("used_quota") long usedQuota,
            @JsonProperty("created_time") long createdTime,
            @JsonProperty("status_reason") String statusReason,
            @JsonProperty("status_time") long statusTime,
            @JsonProperty("test_time") long testTime,
            @JsonProperty("response_time") int responseTime,
            @JsonProperty("other_info") String otherInfo,
            String other) {

        static ChannelView of(ChannelRepository.Listed l) {
            Channel c = l.channel();
            Map<String, Object> other = new LinkedHashMap<>(); // new-api keeps these two in other_info
            other.put("status_reason", l.statusReason());
            other.put("status_time", l.statusTime());
            return new ChannelView(c.id(), c.type(), c.name(), c.baseUrl(), "********", String.join(",", c.models()),
                    JSON.writeValueAsString(c.modelMapping()), c.priority(), c.weight(), c.status(), c.usedQuota(),
                    c.createdTime(), l.statusReason(), l.statusTime(), l.testTime(), l.responseTime(),
                    JSON.writeValueAsString(other), c.other());
        }
    }

    /** new-api's test answer ({@code time} in seconds) with the upstream's status and the latency in ms. */
    public record TestAnswer(boolean success, String message, double time,
                             @JsonProperty("status_code") int statusCode, @JsonProperty("latency_ms") long latencyMs,
                             String model) {}

    private final ChannelRepository channels;
    private final ChannelSelector selector;
    private final ChannelTester tester;
    private final Clock clock;

    ChannelController(ChannelRepository channels, ChannelSelector selector, ChannelTester tester, Clock clock) {
        this.channels = channels;
        this.selector = selector;
        this.tester = tester;
        this.clock = clock;
    }

    /**
     * {@code GET /api/channel/test/:id?model=}: one small request through the channel (its first model by default);
     * {@code success} says whether the upstream answered 2xx.
     */
    @GetMapping("/test/{id}")
    public TestAnswer test(@PathVariable long id, @RequestParam(name = "model", required = false) String model) {
        ChannelTester.Result r = tester.test(find(id).channel(), model);
        return new TestAnswer(r.success(), r.message(), r.latencyMs() / 1000.0, r.statusCode(), r.latencyMs(), r.model());
    }

    @PostMapping({"", "/"})
    public ApiResponse create(@RequestBody JsonNode json) {
        JsonBody body = unwrap(JsonBody.of(json));
        Channel c = new Channel(0,
                type(body.raw("type")),
                JsonBody.maxLength("name", orEmpty(body.getString("name")), 255),
                baseUrl(body.requireString("base_url")),
                JsonBody.maxLength("key", body.requireString("key").trim(), 4096),
                models(body.raw("models")),
                mapping(body.raw("model_mapping")),
                body.has("priority") ? body.getLong("priority") : 0,
                body.has("weight") ? (int) JsonBody.range("weight", body.getInt("weight"), 0, 1_000_000) : 1,
                body.has("status") ? (int) JsonBody.range("status", body.getInt("status"), 1, 3) : Channel.ENABLED,
                0, clock.instant().getEpochSecond(),
                body.has("other") ? other(body.getString("other")) : "");
        if (c.models().isEmpty()) {
            throw GatewayException.badRequest("models: empty (expected: \"model-a,model-b\")");
        }
        long id = channels.insert(c);
        selector.refresh();
        return ApiResponse.ok(ChannelView.of(channels.findListed(id).orElseThrow()));
    }

    @GetMapping("/{id}")
    public ApiResponse get(@PathVariable long id) {
        return ApiResponse.ok(ChannelView.of(find(id)));
    }

    @GetMapping({"", "/"})
    public ApiResponse list(@RequestParam(name = "p", required = false) Integer p,
                     @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(p, pageSize);
        List<ChannelView> items = channels.page(paging.offset(), paging.pageSize()).stream().map(ChannelView::of).toList();
        return ApiResponse.ok(new PageResult<>(items, channels.count(), paging.page(), paging.pageSize()));
    }

    @PutMapping({"", "/"})
    public ApiResponse update(@RequestBody JsonNode json) {
        JsonBody body = unwrap(JsonBody.of(json));
        long id = body.requireLong("id");
        find(id);
        Map<String, Object> set = new LinkedHashMap<>();
        if (body.has("type")) {
            set.put("type", type(body.raw("type")));
        }
        if (body.has("name")) {
            set.put("name", JsonBody.maxLength("name", body.getString("name"), 255));
        }
        if (body.has("base_url")) {
            set.put("base_url", baseUrl(body.getString("base_url")));
        }
        if (body.has("key") && !body.getString("key").isBlank()) {
            set.put("api_key", JsonBody.maxLength("key", body.getString("key").trim(), 4096));
        }
        if (body.has("models")) {
            List<String> models = models(body.raw("models"));
            if (models.isEmpty()) {
                throw GatewayException.badRequest("models: empty (expected: \"model-a,model-b\")");
            }
            set.put("models", String.join(",", models));
        }
        if (body.node().has("model_mapping")) {
            set.put("model_mapping", JSON.writeValueAsString(mapping(body.raw("model_mapping"))));
        }
        if (body.has("priority")) {
            set.put("priority", body.getLong("priority"));
        }
        if (body.has("weight")) {
            set.put("weight", (int) JsonBody.range("weight", body.getInt("weight"), 0, 1_000_000));
        }
        if (body.has("status")) {
            int status = (int) JsonBody.range("status", body.getInt("status"), 1, 3);
            set.put("status", status);
            set.put("status_reason", status == Channel.ENABLED ? "" : "set by the management API");
            set.put("status_time", clock.instant().getEpochSecond());
        }
        if (body.has("other")) {
            set.put("other", other(body.getString("other")));
        }
        if (channels.update(id, set) == 0) {
            throw GatewayException.notFound("channel " + id + " not found");
        }
        selector.refresh();
        return ApiResponse.ok(ChannelView.of(find(id)));
    }

    @DeleteMapping("/{id}")
    public ApiResponse delete(@PathVariable long id) {
        if (channels.delete(id) == 0) {
            throw GatewayException.notFound("channel " + id + " not found");
        }
        selector.refresh();
        return ApiResponse.ok(null);
    }

    private ChannelRepository.Listed find(long id) {
        return channels.findListed(id).orElseThrow(() -> GatewayException.notFound("channel " + id + " not found"));
    }

    private static JsonBody unwrap(JsonBody body) {
        JsonNode inner = body.raw("channel");
        return inner != null && inner.isObject() ? JsonBody.of(inner) : body;
    }

    private static String type(JsonNode v) {
        String t = v == null ? "openai" : v.isString() || v.isIntegralNumber() ? v.asString().trim() : null;
        if (t == null || !TYPES.containsKey(t)) {
            throw GatewayException.badRequest("type: " + v
                    + " (expected: \"openai\", \"anthropic\", \"gemini\" or \"azure\")");
        }
        return TYPES.get(t);
    }

    /** new-api's {@code other}: for an {@code azure} channel its api-version; empty: the default. */
    private static String other(String value) {
        String v = value == null ? "" : value.trim();
        if (!v.isEmpty() && !API_VERSION.matcher(v).matches()) {
            throw GatewayException.badRequest("other: \"" + (v.length() > 80 ? v.substring(0, 80) + "..." : v)
                    + "\" (expected: an api-version such as 2024-10-21)");
        }
        return v;
    }

    private static String baseUrl(String url) {
        String u = url == null ? "" : url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith("/v1")) {
            u = u.substring(0, u.length() - 3);
        }
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            throw GatewayException.badRequest("base_url: \"" + url + "\" (expected: an http(s) URL)");
        }
        try {
            java.net.URI.create(u).toURL();
        } catch (Exception e) {
            throw GatewayException.badRequest("base_url: \"" + url + "\" (expected: a valid URL)");
        }
        return JsonBody.maxLength("base_url", u, 512);
    }

    private static List<String> models(JsonNode v) {
        if (v == null) {
            return List.of();
        }
        if (v.isString()) {
            return ChannelRepository.splitModels(v.asString());
        }
        if (v.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode m : v) {
                if (!m.isString()) {
                    throw GatewayException.badRequest("models: " + m + " (expected: model names)");
                }
                out.add(m.asString());
            }
            return ChannelRepository.splitModels(String.join(",", out));
        }
        throw GatewayException.badRequest("models: " + v + " (expected: \"a,b\" or [\"a\",\"b\"])");
    }

    private static Map<String, String> mapping(JsonNode v) {
        if (v == null || (v.isString() && v.asString().isBlank())) {
            return Map.of();
        }
        JsonNode obj = v;
        if (v.isString()) {
            try {
                obj = JSON.readTree(v.asString());
            } catch (RuntimeException e) {
                throw GatewayException.badRequest("model_mapping: not valid JSON (expected: {\"requested\": \"upstream\"})");
            }
        }
        if (!obj.isObject()) {
            throw GatewayException.badRequest("model_mapping: " + obj.getNodeType() + " (expected: a JSON object)");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            if (!e.getValue().isString() || e.getValue().asString().isBlank()) {
                throw GatewayException.badRequest("model_mapping." + e.getKey() + ": " + e.getValue()
                        + " (expected: a model name)");
            }
            out.put(e.getKey(), e.getValue().asString().trim());
        }
        return out;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
