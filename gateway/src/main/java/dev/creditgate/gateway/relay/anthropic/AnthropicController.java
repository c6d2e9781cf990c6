package dev.creditgate.gateway.relay.anthropic;

import java.io.IOException;
import java.util.Collections;
import java.util.List;

import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.relay.RelayPipeline;
import dev.creditgate.gateway.relay.RelayBulkhead;
import dev.creditgate.gateway.relay.RequestBodyReader;
import dev.creditgate.gateway.relay.UpstreamClient;
import dev.creditgate.gateway.relay.translate.CrossFormatRelay;
import dev.creditgate.gateway.token.TokenAuthenticator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Anthropic-compatible routes (Claude Code, the Anthropic SDKs): {@code POST /v1/messages} and
 * {@code POST /v1/messages/count_tokens}. {@code /v1/messages} is served by {@code anthropic} channels, else by
 * {@code openai} ones through translation ({@link CrossFormatRelay}). Keys are accepted in {@code x-api-key} and in {@code Authorization: Bearer};
 * errors come in Anthropic's shape ({@code GatewayExceptionHandler} renders every {@code /v1/messages*} path that way).
 */
@RestController
class AnthropicController {

    private final RelayPipeline pipeline;
    private final AnthropicRelay messages;
    private final CrossFormatRelay.Factory viaOpenAi;
    private final CountTokens countTokens;

    AnthropicController(RelayPipeline pipeline, UpstreamClient upstream, JsonMapper json,
                        TokenAuthenticator authenticator, RequestBodyReader bodyReader, ChannelSelector channels,
                        RelayBulkhead bulkhead) {
        this.pipeline = pipeline;
        this.messages = new AnthropicRelay(json);
        this.viaOpenAi = CrossFormatRelay.messagesViaChat(json);
        this.countTokens = new CountTokens(authenticator, bodyReader, channels, upstream, json, TokenCounter.shared(),
                bulkhead);
    }

    @PostMapping("/v1/messages")
    void messages(HttpServletRequest request, HttpServletResponse response) throws IOException {
        pipeline.handle(request, response, viaOpenAi.wrap(forClient(request)));
    }

    @PostMapping(CountTokens.PATH)
    void countTokens(HttpServletRequest request, HttpServletResponse response) throws IOException {
        countTokens.handle(request, response, forClient(request));
    }

    private AnthropicRelay forClient(HttpServletRequest request) {
        return messages.forClient(request.getHeader("anthropic-version"), beta(request));
    }

    /** Every {@code anthropic-beta} header of the request, joined by commas (null when none). */
    private static String beta(HttpServletRequest request) {
        List<String> values = Collections.list(request.getHeaders("anthropic-beta"));
        return values.isEmpty() ? null : String.join(",", values);
    }
}
