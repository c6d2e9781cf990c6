package dev.creditgate.gateway.relay.models;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.relay.gemini.GoogleApiKey;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.TokenAuthenticator;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.GatewayExceptionHandler;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The models a key may use: every model of every enabled channel (all types), filtered by the token's model limits, in
 * the shape the client asks for:
 * <ul>
 *   <li>{@code GET /v1/models}, {@code GET /v1/models/{model}}: OpenAI's list
 *       {@code {"object":"list","data":[{"id","object":"model","created","owned_by"}]}}; with an
 *       {@code anthropic-version} header, or a key in {@code x-api-key} and no {@code Authorization} (the Anthropic
 *       SDKs), Anthropic's {@code {"data":[{"type":"model","id","display_name","created_at"}],"has_more":false,
 *       "first_id","last_id"}} (all models in one page);</li>
 *   <li>{@code GET /v1beta/models}, {@code GET /v1beta/models/{model}}: Google's
 *       {@code {"models":[{"name":"models/<id>","displayName","supportedGenerationMethods"}]}} (one page), key in
 *       {@code x-goog-api-key} or {@code ?key=}.</li>
 * </ul>
 * A model the key may not use, or that no channel serves, is 404 in the route's error shape.
 */
@RestController
class ModelsController {

    static final Set<String> ALL_TYPES = Set.of(Channel.TYPE_OPENAI, Channel.TYPE_ANTHROPIC, Channel.TYPE_GEMINI,
            Channel.TYPE_AZURE);
    private static final List<String> GEMINI_METHODS = List.of("generateContent", "streamGenerateContent");

    private final TokenAuthenticator authenticator;
    private final ChannelSelector channels;
    private final long created;

    ModelsController(TokenAuthenticator authenticator, ChannelSelector channels, Clock clock) {
        this.authenticator = authenticator;
        this.channels = channels;
        this.created = clock.instant().getEpochSecond();
    }

    @GetMapping("/v1/models")
    Map<String, Object> list(HttpServletRequest request) {
        List<String> ids = models(authenticate(request, request.getHeader("x-api-key")));
        List<Map<String, Object>> data = new ArrayList<>();
        if (anthropic(request)) {
            ids.forEach(id -> data.add(anthropicModel(id)));
            Map<String, Object> page = new LinkedHashMap<>();
            page.put("data", data);
            page.put("has_more", false);
            page.put("first_id", ids.isEmpty() ? null : ids.getFirst());
            page.put("last_id", ids.isEmpty() ? null : ids.getLast());
            return page;
        }
        ids.forEach(id -> data.add(openAiModel(id)));
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        return list;
    }

    @GetMapping("/v1/models/{model}")
    Map<String, Object> get(HttpServletRequest request, @PathVariable String model) {
        requireServed(authenticate(request, request.getHeader("x-api-key")), model);
        return anthropic(request) ? anthropicModel(model) : openAiModel(model);
    }

    @GetMapping("/v1beta/models")
    Map<String, Object> googleList(HttpServletRequest request) {
        List<Map<String, Object>> models = new ArrayList<>();
        models(authenticate(request, GoogleApiKey.of(request))).forEach(id -> models.add(googleModel(id)));
        return Map.of("models", models);
    }

    @GetMapping("/v1beta/models/{model}")
    Map<String, Object> googleGet(HttpServletRequest request, @PathVariable String model) {
        String id = model.startsWith("models/") ? model.substring("models/".length()) : model;
        requireServed(authenticate(request, GoogleApiKey.of(request)), id);
        return googleModel(id);
    }

    /** Anthropic's clients, by the rule {@code GatewayExceptionHandler} answers their errors with. */
    private static boolean anthropic(HttpServletRequest request) {
        return GatewayExceptionHandler.isAnthropicClient(request);
    }

    private AuthenticatedToken authenticate(HttpServletRequest request, String key) {
        return authenticator.authenticate(request.getHeader("Authorization"), key, request.getRemoteAddr());
    }

    private List<String> models(AuthenticatedToken auth) {
        return channels.models(ALL_TYPES).stream().filter(auth::allowsModel).toList();
    }

    private void requireServed(AuthenticatedToken auth, String model) {
        if (!auth.allowsModel(model) || !channels.models(ALL_TYPES).contains(model)) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "model " + model + " does not exist", "model");
        }
    }

    private Map<String, Object> openAiModel(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "creditgate");
        return m;
    }

    private Map<String, Object> anthropicModel(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "model");
        m.put("id", id);
        m.put("display_name", id);
        m.put("created_at", Instant.ofEpochSecond(created).toString());
        return m;
    }

    private static Map<String, Object> googleModel(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "models/" + id);
        m.put("displayName", id);
        m.put("supportedGenerationMethods", GEMINI_METHODS);
        return m;
    }
}
