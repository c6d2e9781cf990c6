package dev.creditgate.gateway.relay.gemini;

import java.io.IOException;
import java.util.regex.Pattern;

import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.relay.RelayPipeline;
import dev.creditgate.gateway.relay.RequestBodyReader;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.TokenAuthenticator;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Google's Gemini API routes (the Google Gen AI SDKs): {@code POST /v1beta/models/{model}:generateContent} and
 * {@code :streamGenerateContent} ({@code ?alt=sse} for server-sent events), the same under {@code /v1/models/}. The key
 * in {@code x-goog-api-key} or {@code ?key=}; errors in Google's shape {@code {"error":{"code","message","status"}}}
 * ({@code GatewayExceptionHandler} renders these paths that way). {@code :countTokens} is answered by the gateway
 * ({@code {"totalTokens": n}}, counted with {@link TokenCounter#countGeminiContents}: an approximation of Google's
 * count), after the same key and model checks; never forwarded, held, charged or logged.
 */
@RestController
class GeminiController {

    /** A model id as it may appear in the URL (it becomes part of the upstream URL too). */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final RelayPipeline pipeline;
    private final GeminiRelay relay;
    private final TokenAuthenticator authenticator;
    private final RequestBodyReader bodyReader;
    private final TokenCounter counter = TokenCounter.shared();

    GeminiController(RelayPipeline pipeline, JsonMapper json, TokenAuthenticator authenticator,
                     RequestBodyReader bodyReader) {
        this.pipeline = pipeline;
        this.relay = new GeminiRelay(json);
        this.authenticator = authenticator;
        this.bodyReader = bodyReader;
    }

    @PostMapping({"/v1beta/models/{target}", "/v1/models/{target}"})
    void generate(@PathVariable String target, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        int colon = target.lastIndexOf(':');
        String method = colon < 0 ? "" : target.substring(colon + 1);
        boolean stream = switch (method) {
            case "generateContent", "countTokens" -> false;
            case "streamGenerateContent" -> true;
            default -> throw new GatewayException(ErrorCode.NOT_FOUND, "no route POST " + request.getRequestURI()
                    + " (expected: models/{model}:generateContent, :streamGenerateContent or :countTokens)");
        };
        String model = target.substring(0, colon);
        if (!MODEL.matcher(model).matches()) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "model: \"" + abbreviate(model)
                    + "\" (expected: a model id of letters, digits, '.', '_' and '-')", "model");
        }
        if (method.equals("countTokens")) {
            countTokens(model, request, response);
            return;
        }
        pipeline.handle(request, response, relay.forRequest(model, stream,
                "sse".equals(GoogleApiKey.queryParameter(request, "alt"))));
    }

    /** {@code {"contents": [...]}} or {@code {"generateContentRequest": {...}}}, as Google's API takes either. */
    private void countTokens(String model, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        AuthenticatedToken auth = relay.authenticate(authenticator, request);
        JsonNode body = bodyReader.read(request).json();
        authenticator.checkModel(auth, model);
        JsonNode wrapped = body.get("generateContentRequest");
        int total = counter.countGeminiContents(model, wrapped != null && wrapped.isObject() ? wrapped : body);
        response.setContentType("application/json");
        response.getOutputStream().write(("{\"totalTokens\":" + total + "}").getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
