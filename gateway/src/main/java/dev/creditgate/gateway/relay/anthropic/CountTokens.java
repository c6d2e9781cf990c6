package dev.creditgate.gateway.relay.anthropic;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.relay.JsonAnswer;
import dev.creditgate.gateway.relay.RelayBulkhead;
import dev.creditgate.gateway.relay.RequestBodyReader;
import dev.creditgate.gateway.relay.UpstreamClient;
import dev.creditgate.gateway.relay.WireJson;
import dev.creditgate.gateway.token.AuthenticatedToken;
import dev.creditgate.gateway.token.TokenAuthenticator;
import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/messages/count_tokens}: Anthropic's {@code {"input_tokens": n}} for a messages body. The key is
 * checked as for {@code /v1/messages} (status, expiry, IP list, model limits); the count comes from the first
 * {@code anthropic} channel for the model ({@code {base_url}/v1/messages/count_tokens}, its answer passed on), or is
 * made locally ({@link TokenCounter#countAnthropicMessages}) when there is no such channel, it cannot be reached, it
 * answers 404/405 or a 2xx without a count. Other upstream errors pass through. Nothing is held, charged or logged:
 * counting is not consumption.
 */
final class CountTokens {

    static final String PATH = "/v1/messages/count_tokens";
    private static final int MAX_ERROR_BODY = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(CountTokens.class);

    private final TokenAuthenticator authenticator;
    private final RequestBodyReader bodyReader;
    private final ChannelSelector channels;
    private final UpstreamClient upstream;
    private final JsonMapper json;
    private final TokenCounter counter;
    private final RelayBulkhead bulkhead;

    CountTokens(TokenAuthenticator authenticator, RequestBodyReader bodyReader, ChannelSelector channels,
                UpstreamClient upstream, JsonMapper json, TokenCounter counter, RelayBulkhead bulkhead) {
        this.authenticator = authenticator;
        this.bodyReader = bodyReader;
        this.channels = channels;
        this.upstream = upstream;
        this.json = json;
        this.counter = counter;
        this.bulkhead = bulkhead;
    }

    /** Answers one request; {@code relay} carries the client's version headers. */
    void handle(HttpServletRequest request, HttpServletResponse response, AnthropicRelay relay) throws IOException {
        bulkhead.enter(); // it reads a body and may call the upstream, as a relay does
        try {
            count(request, response, relay);
        } finally {
            bulkhead.leave();
        }
    }

    private void count(HttpServletRequest request, HttpServletResponse response, AnthropicRelay relay)
            throws IOException {
        AuthenticatedToken auth = authenticator.authenticate(request.getHeader("Authorization"),
                request.getHeader("x-api-key"), request.getRemoteAddr());
        RequestBodyReader.Body body = bodyReader.read(request);
        String model = bodyReader.model(body.json());
        authenticator.checkModel(auth, model);
        List<Channel> candidates = channels.candidates(model, relay.channelTypes(), 1);
        if (!candidates.isEmpty() && askUpstream(candidates.getFirst(), body, model, relay, response)) {
            return;
        }
        int n = counter.countAnthropicMessages(model, body.json());
        write(response, 200, "application/json", ("{\"input_tokens\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** @return false when the channel cannot count: the caller counts locally */
    private boolean askUpstream(Channel channel, RequestBodyReader.Body body, String model, AnthropicRelay relay,
                                HttpServletResponse response) throws IOException {
        byte[] upstreamBody = WireJson.withUpstreamModel(body.raw(), body.json(), model, channel, json);
        HttpResponse<InputStream> answer;
        try {
            answer = upstream.send(relay.request(channel, PATH, upstreamBody, false));
        } catch (IOException e) {
            log.info("count_tokens: channel {} unreachable, counting locally: {}", channel.id(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE, "interrupted while calling the upstream");
        }
        int status = answer.statusCode();
        String contentType = answer.headers().firstValue("Content-Type").orElse("application/json");
        if (status < 200 || status >= 300) {
            try (InputStream in = answer.body()) {
                if (status == 404 || status == 405) {
                    return false; // the channel has no count_tokens (not drained: the connection is dropped)
                }
                write(response, status, contentType, in.readNBytes(MAX_ERROR_BODY));
                return true;
            }
        }
        JsonAnswer counted;
        try {
            counted = JsonAnswer.read(answer, json);
        } catch (IOException e) {
            log.info("count_tokens: channel {} answered unreadably, counting locally: {}", channel.id(), e.toString());
            return false;
        }
        if (WireJson.intOrNull(counted.tree().get("input_tokens")) == null) {
            return false;
        }
        counted.writeTo(answer, response);
        return true;
    }

    private static void write(HttpServletResponse response, int status, String contentType, byte[] body)
            throws IOException {
        response.setStatus(status);
        response.setContentType(contentType);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
