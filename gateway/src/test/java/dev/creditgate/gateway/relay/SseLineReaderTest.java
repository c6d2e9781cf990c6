package dev.creditgate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SseLineReaderTest {

    static List<String> lines(InputStream in, int max) throws IOException {
        SseLineReader r = new SseLineReader(in, max);
        List<String> out = new ArrayList<>();
        byte[] line;
        while ((line = r.readLine()) != null) {
            out.add(new String(line, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void splitsOnLfAndCrLfAndKeepsALastLineWithoutNewline() throws IOException {
        byte[] bytes = "data: {\"a\":1}\r\n\r\ndata: [DONE]\n\n: comment\nlast".getBytes(StandardCharsets.UTF_8);
        assertThat(lines(new ByteArrayInputStream(bytes), 1000))
                .containsExactly("data: {\"a\":1}", "", "data: [DONE]", "", ": comment", "last");
    }

    @Test
    void linesSpanningReadsAreJoined() throws IOException {
        // An input stream that hands out one byte per read, like a slow network.
        byte[] bytes = ("data: " + "é".repeat(5000) + "\n\n").getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        assertThat(lines(trickle, 1 << 20)).containsExactly("data: " + "é".repeat(5000), "");
    }

    @Test
    void anEndlessLineIsAnError() {
        byte[] bytes = "x".repeat(2000).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> lines(new ByteArrayInputStream(bytes), 1000)).hasMessageContaining("1000 bytes");
    }
}
