package dev.creditgate.gateway.relay.gemini;

import java.io.IOException;
import java.util.regex.Pattern;

import dev.creditgate.gateway.relay.RelayPipeline;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Google's Gemini API routes (the Google Gen AI SDKs): {@code POST /v1beta/models/{model}:generateContent} and
 * {@code :streamGenerateContent} ({@code ?alt=sse} for server-sent events), the same under {@code /v1/models/}. The key
 * in {@code x-goog-api-key} or {@code ?key=}; errors in Google's shape {@code {"error":{"code","message","status"}}}
 * ({@code GatewayExceptionHandler} renders these paths that way).
 */
@RestController
class GeminiController {

    /** A model id as it may appear in the URL (it becomes part of the upstream URL too). */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final RelayPipeline pipeline;
    private final GeminiRelay relay;

    GeminiController(RelayPipeline pipeline, JsonMapper json) {
        this.pipeline = pipeline;
        this.relay = new GeminiRelay(json);
    }

    @PostMapping({"/v1beta/models/{target}", "/v1/models/{target}"})
    void generate(@PathVariable String target, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        int colon = target.lastIndexOf(':');
        String method = colon < 0 ? "" : target.substring(colon + 1);
        boolean stream = switch (method) {
            case "generateContent" -> false;
            case "streamGenerateContent" -> true;
            default -> throw new GatewayException(ErrorCode.NOT_FOUND, "no route POST " + request.getRequestURI()
                    + " (expected: models/{model}:generateContent or :streamGenerateContent)");
        };
        String model = target.substring(0, colon);
        if (!MODEL.matcher(model).matches()) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "model: \"" + abbreviate(model)
                    + "\" (expected: a model id of letters, digits, '.', '_' and '-')", "model");
        }
        pipeline.handle(request, response, relay.forRequest(model, stream,
                "sse".equals(GoogleApiKey.queryParameter(request, "alt"))));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
