package dev.creditgate.gateway.relay.responses;

import java.io.IOException;

import dev.creditgate.gateway.relay.RelayPipeline;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** The OpenAI Responses route (Codex, the OpenAI SDKs): {@code POST /v1/responses}, errors in OpenAI's shape. */
@RestController
class ResponsesController {

    private final RelayPipeline pipeline;
    private final ResponsesRelay responses;

    ResponsesController(RelayPipeline pipeline, JsonMapper json) {
        this.pipeline = pipeline;
        this.responses = new ResponsesRelay(json);
    }

    @PostMapping("/v1/responses")
    void responses(HttpServletRequest request, HttpServletResponse response) throws IOException {
        pipeline.handle(request, response, responses);
    }
}
