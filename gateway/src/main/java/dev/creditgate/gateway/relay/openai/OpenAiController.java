package dev.creditgate.gateway.relay.openai;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.relay.RelayPipeline;
import dev.creditgate.gateway.relay.WireRelay;
import dev.creditgate.gateway.relay.translate.CrossFormatRelay;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.TokenAuthenticator;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** The OpenAI-compatible routes: chat completions, embeddings, models. */
@RestController
class OpenAiController {

    private final RelayPipeline pipeline;
    private final TokenAuthenticator authenticator;
    private final ChannelSelector channels;
    private final WireRelay chat;
    private final OpenAiRelay embeddings;
    private final long created;

    OpenAiController(RelayPipeline pipeline, TokenAuthenticator authenticator, ChannelSelector channels,
                     JsonMapper json, Clock clock) {
        this.pipeline = pipeline;
        this.authenticator = authenticator;
        this.channels = channels;
        // served by openai channels, else by anthropic ones through translation
        this.chat = CrossFormatRelay.chatViaMessages(json)
                .wrap(new OpenAiRelay(EndpointKind.CHAT_COMPLETIONS, "/v1/chat/completions", json));
        this.embeddings = new OpenAiRelay(EndpointKind.EMBEDDINGS, "/v1/embeddings", json);
        this.created = clock.instant().getEpochSecond();
    }

    @PostMapping("/v1/chat/completions")
    void chat(HttpServletRequest request, HttpServletResponse response) throws IOException {
        pipeline.handle(request, response, chat);
    }

    @PostMapping("/v1/embeddings")
    void embeddings(HttpServletRequest request, HttpServletResponse response) throws IOException {
        pipeline.handle(request, response, embeddings);
    }

    /** The models this key may use: enabled OpenAI-format channels' models, filtered by the token's limits. */
    @GetMapping("/v1/models")
    Map<String, Object> models(HttpServletRequest request) {
        AuthenticatedToken auth = authenticate(request);
        List<Map<String, Object>> data = new ArrayList<>();
        for (String model : channels.models(Set.of(Channel.TYPE_OPENAI))) {
            if (auth.allowsModel(model)) {
                data.add(model(model));
            }
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        return list;
    }

    @GetMapping("/v1/models/{model}")
    Map<String, Object> model(HttpServletRequest request, @PathVariable String model) {
        AuthenticatedToken auth = authenticate(request);
        if (!auth.allowsModel(model) || !channels.models(Set.of(Channel.TYPE_OPENAI)).contains(model)) {
            throw new GatewayException(ErrorCode.NOT_FOUND, "model " + model + " does not exist", "model");
        }
        return model(model);
    }

    private AuthenticatedToken authenticate(HttpServletRequest request) {
        return authenticator.authenticate(request.getHeader("Authorization"), request.getHeader("x-api-key"),
                request.getRemoteAddr());
    }

    private Map<String, Object> model(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "creditgate");
        return m;
    }
}
