package dev.creditgate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

class SseRelayTest {

    record Seen(String event, String data) {
    }

    /** An upstream body: the given text, then (optionally) a connection error; records whether it was closed. */
    static final class Body extends InputStream {
        final InputStream text;
        final boolean breakAtEnd;
        boolean closed;
        int reads;

        Body(String text, boolean breakAtEnd) {
            this.text = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            this.breakAtEnd = breakAtEnd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads++;
            int n = text.read(b, off, Math.min(len, 16)); // small reads, as from a socket
            if (n < 0 && breakAtEnd) {
                throw new IOException("connection reset");
            }
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    record Answer(InputStream body, int statusCode, HttpHeaders headers) implements HttpResponse<InputStream> {
        Answer(InputStream body) {
            this(body, 200, HttpHeaders.of(Map.of("Content-Type", List.of("text/event-stream; charset=utf-8")),
                    (a, b) -> true));
        }

        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(URI.create("http://upstream/")).build();
        }

        @Override
        public Optional<HttpResponse<InputStream>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request().uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    /** A client that takes {@code writes} writes and then fails, as a socket whose peer went away. */
    static final class LeavingClient extends MockHttpServletResponse {
        int writesLeft;

        LeavingClient(int writes) {
            this.writesLeft = writes;
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (writesLeft-- <= 0) {
                        throw new IOException("broken pipe");
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                }
            };
        }
    }

    @Test
    void relaysEventsVerbatimAndShowsEachToTheObserver() throws IOException {
        String upstream = "event: a\r\ndata: {\"x\":1}\r\n\r\n: keep-alive\n\ndata: line1\ndata:line2\n\nevent: b\ndata: {}";
        MockHttpServletResponse client = new MockHttpServletResponse();
        List<Seen> seen = new ArrayList<>();

        SseRelay.Outcome outcome = SseRelay.relay(new Answer(new Body(upstream, false)), client,
                (e, d, raw) -> {
                    seen.add(new Seen(e, d == null ? null : new String(d, StandardCharsets.UTF_8)));
                    return raw;
                }, null);

        assertThat(outcome).isEqualTo(new SseRelay.Outcome(true, false, false));
        assertThat(client.getStatus()).isEqualTo(200);
        assertThat(client.getHeader("Content-Type")).startsWith("text/event-stream");
        assertThat(client.getHeader("Cache-Control")).isEqualTo("no-cache");
        assertThat(client.getContentAsString()).isEqualTo(
                "event: a\ndata: {\"x\":1}\n\n: keep-alive\n\ndata: line1\ndata:line2\n\nevent: b\ndata: {}\n\n");
        assertThat(seen).containsExactly(new Seen("a", "{\"x\":1}"), new Seen(null, null),
                new Seen(null, "line1\nline2"), new Seen("b", "{}"));
    }

    @Test
    void anUpstreamThatEndsBeforeItsFirstEventThrowsWithNothingSent() {
        MockHttpServletResponse client = new MockHttpServletResponse();
        Body body = new Body("\n\n", false);

        assertThatThrownBy(() -> SseRelay.relay(new Answer(body), client, (e, d, raw) -> raw, null))
                .isInstanceOf(IOException.class).hasMessageContaining("before its first event");
        assertThat(client.isCommitted()).isFalse();
        assertThat(client.getHeader("Content-Type")).isNull();
        assertThat(body.closed).isTrue();
    }

    @Test
    void anUpstreamThatBreaksBeforeItsFirstEventThrowsWithNothingSent() {
        MockHttpServletResponse client = new MockHttpServletResponse();
        Body body = new Body("event: a\ndata: {\"half", true);

        assertThatThrownBy(() -> SseRelay.relay(new Answer(body), client, (e, d, raw) -> raw, null))
                .isInstanceOf(IOException.class).hasMessage("connection reset");
        assertThat(client.getContentAsByteArray()).isEmpty();
        assertThat(client.getHeader("Content-Type")).isNull();
    }

    @Test
    void anUpstreamThatBreaksMidStreamEndsTheClientsStreamWithTheTrailer() throws IOException {
        MockHttpServletResponse client = new MockHttpServletResponse();
        List<String> seen = new ArrayList<>();

        SseRelay.Outcome outcome = SseRelay.relay(new Answer(new Body("data: one\n\ndata: tw", true)), client,
                (e, d, raw) -> {
                    seen.add(new String(d, StandardCharsets.UTF_8));
                    return raw;
                }, "event: error\n\n".getBytes());

        assertThat(outcome).isEqualTo(new SseRelay.Outcome(true, false, true));
        assertThat(seen).containsExactly("one"); // the half event is dropped
        assertThat(client.getContentAsString()).isEqualTo("data: one\n\nevent: error\n\n");
    }

    @Test
    void aClientThatGoesAwayEndsTheRelayAndTheUpstreamIsClosedNotDrained() throws IOException {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            many.append("data: {\"n\":").append(i).append("}\n\n");
        }
        Body body = new Body(many.toString(), false);
        List<String> seen = new ArrayList<>();

        SseRelay.Outcome outcome = SseRelay.relay(new Answer(body), new LeavingClient(1),
                (e, d, raw) -> {
                    seen.add(new String(d, StandardCharsets.UTF_8));
                    return raw;
                }, null);

        assertThat(outcome).isEqualTo(new SseRelay.Outcome(true, true, false));
        assertThat(seen).hasSize(2); // the 1st event was written, the 2nd failed: nothing read after it
        assertThat(body.closed).isTrue();
        assertThat(body.reads).isLessThan(10);
    }

    @Test
    void aClientGoneBeforeTheFirstEventIsADisconnectNotAnUpstreamFailure() throws IOException {
        SseRelay.Outcome outcome = SseRelay.relay(new Answer(new SequenceInputStream(
                new ByteArrayInputStream("data: 1\n\n".getBytes()), new ByteArrayInputStream(new byte[0]))),
                new LeavingClient(0), (e, d, raw) -> raw, null);

        assertThat(outcome).isEqualTo(new SseRelay.Outcome(false, true, false));
    }

    @Test
    void theTransformerMayPassRewriteOrHideEachEventAndSeesItRaw() throws IOException {
        MockHttpServletResponse client = new MockHttpServletResponse();
        List<String> raws = new ArrayList<>();

        SseRelay.Outcome outcome = SseRelay.relay(new Answer(new Body(
                "event: keep\r\ndata: 1\r\n\r\ndata: hide\n\ndata: change\n\n", false)), client, (e, d, raw) -> {
                    raws.add(new String(raw, StandardCharsets.UTF_8));
                    String data = new String(d, StandardCharsets.UTF_8);
                    return data.equals("hide") ? null : data.equals("change") ? "data: changed\n\n".getBytes() : raw;
                }, null);

        assertThat(raws).containsExactly("event: keep\ndata: 1\n\n", "data: hide\n\n", "data: change\n\n");
        assertThat(client.getContentAsString()).isEqualTo("event: keep\ndata: 1\n\ndata: changed\n\n");
        assertThat(outcome.completed()).isTrue();
    }

    @Test
    void hiddenEventsDoNotCommitTheAnswerSoABreakAfterThemStillFailsOver() {
        MockHttpServletResponse client = new MockHttpServletResponse();

        assertThatThrownBy(() -> SseRelay.relay(new Answer(new Body("data: a\n\ndata: b\n\n", true)), client,
                (e, d, raw) -> null, null)).isInstanceOf(IOException.class).hasMessage("connection reset");
        assertThat(client.getContentAsByteArray()).isEmpty();
        assertThat(client.getHeader("Content-Type")).isNull();
    }

    @Test
    void onlyAStreamThatEndedNormallyAndWasWrittenWholeIsCompleted() throws IOException {
        assertThat(SseRelay.relay(new Answer(new Body("data: 1\n\n", false)), new MockHttpServletResponse(),
                (e, d, raw) -> raw, null).completed()).isTrue();
        assertThat(SseRelay.relay(new Answer(new Body("data: 1\n\n", true)), new MockHttpServletResponse(),
                (e, d, raw) -> raw, null).completed()).isFalse();
        assertThat(SseRelay.relay(new Answer(new Body("data: 1\n\ndata: 2\n\n", false)), new LeavingClient(1),
                (e, d, raw) -> raw, null).completed()).isFalse();
    }
}
