package dev.creditgate.gateway.relay.openai;

import java.io.IOException;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.relay.RelayPipeline;
import dev.creditgate.gateway.relay.WireRelay;
import dev.creditgate.gateway.relay.translate.CrossFormatRelay;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** The OpenAI-compatible routes: chat completions, embeddings ({@code GET /v1/models}: {@code ModelsController}). */
@RestController
class OpenAiController {

    private final RelayPipeline pipeline;
    private final WireRelay chat;
    private final OpenAiRelay embeddings;

    OpenAiController(RelayPipeline pipeline, JsonMapper json) {
        this.pipeline = pipeline;
        // served by openai (and azure) channels, else by anthropic ones through translation
        this.chat = CrossFormatRelay.chatViaMessages(json)
                .wrap(new OpenAiRelay(EndpointKind.CHAT_COMPLETIONS, "/v1/chat/completions", json));
        this.embeddings = new OpenAiRelay(EndpointKind.EMBEDDINGS, "/v1/embeddings", json);
    }

    @PostMapping("/v1/chat/completions")
    void chat(HttpServletRequest request, HttpServletResponse response) throws IOException {
        pipeline.handle(request, response, chat);
    }

    @PostMapping("/v1/embeddings")
    void embeddings(HttpServletRequest request, HttpServletResponse response) throws IOException {
        pipeline.handle(request, response, embeddings);
    }
}
