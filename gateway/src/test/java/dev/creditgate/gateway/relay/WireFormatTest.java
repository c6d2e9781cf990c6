package dev.creditgate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.pricing.CacheTokens;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The one delivery every format shares: what it reports for whole answers and streams. */
class WireFormatTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final ReportedUsage USAGE = new ReportedUsage(10, 2, 12, new CacheTokens(4, 0, 0));

    /** Usage is always {@link #USAGE}; text is the answer's "text"; a stream passes every event. */
    static final WireFormat FORMAT = new WireFormat() {
        @Override
        public byte[] upstreamBody(RelayExchange ex, Channel channel) {
            return ex.rawBody();
        }

        @Override
        public ReportedUsage usage(JsonNode answer) {
            return USAGE;
        }

        @Override
        public String text(JsonNode answer) {
            return answer.path("text").asString();
        }

        @Override
        public StreamReader streamReader(RelayExchange ex) {
            return new StreamReader() {
                @Override
                public ReportedUsage usage() {
                    return USAGE;
                }

                @Override
                public String text() {
                    return "streamed";
                }

                @Override
                public byte[] onEvent(String event, byte[] data, byte[] raw) {
                    return raw;
                }
            };
        }
    };

    static SseRelayTest.Answer json(String body, boolean breakAtEnd) {
        return new SseRelayTest.Answer(new SseRelayTest.Body(body, breakAtEnd), 200,
                HttpHeaders.of(Map.of("Content-Type", List.of("application/json")), (a, b) -> true));
    }

    static RelayExchange exchange(boolean stream) {
        return Exchanges.of(EndpointKind.CHAT_COMPLETIONS, "{\"model\":\"m\"}", stream, null);
    }

    @Test
    void aWholeAnswerIsReceivedAndDelivered() throws IOException {
        MockHttpServletResponse client = new MockHttpServletResponse();
        UsageReport u = FORMAT.deliver(exchange(false), json("{\"text\":\"hi\"}", false), client, JSON);

        assertThat(u).isEqualTo(new UsageReport(10, 2, 12, new CacheTokens(4, 0, 0), "hi", true, false, true));
        assertThat(client.getContentAsString()).isEqualTo("{\"text\":\"hi\"}");
    }

    @Test
    void aWholeAnswerReadButNotWrittenBecauseTheClientLeftIsStillReceived() throws IOException {
        UsageReport u = FORMAT.deliver(exchange(false), json("{\"text\":\"hi\"}", false),
                new SseRelayTest.LeavingClient(0), JSON);

        assertThat(u.answerReceived()).isTrue();
        assertThat(u.anyByteDelivered()).isFalse();
        assertThat(u.clientDisconnected()).isTrue();
        assertThat(u.deliveredText()).isEqualTo("hi");
        assertThat(u.promptTokens()).isEqualTo(10);
    }

    @Test
    void aWholeAnswerThatCannotBeReadThrowsSoThePipelineFailsOver() {
        assertThatThrownBy(() -> FORMAT.deliver(exchange(false), json("{\"text\":", true),
                new MockHttpServletResponse(), JSON)).isInstanceOf(IOException.class);
    }

    @Test
    void aStreamIsReceivedOnlyWhenItEndedNormally() throws IOException {
        UsageReport whole = FORMAT.deliver(exchange(true), new SseRelayTest.Answer(new SseRelayTest.Body(
                "data: 1\n\n", false)), new MockHttpServletResponse(), JSON);
        assertThat(whole).isEqualTo(new UsageReport(10, 2, 12, new CacheTokens(4, 0, 0), "streamed", true, false, true));

        UsageReport cut = FORMAT.deliver(exchange(true), new SseRelayTest.Answer(new SseRelayTest.Body(
                "data: 1\n\n", true)), new MockHttpServletResponse(), JSON);
        assertThat(cut.answerReceived()).isFalse();
        assertThat(cut.anyByteDelivered()).isTrue();
    }
}
