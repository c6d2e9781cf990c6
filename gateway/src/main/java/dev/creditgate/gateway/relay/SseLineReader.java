package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an SSE byte stream line by line without decoding it, returning each line (without its {@code \n} or
 * {@code \r\n}) as soon as it is complete. A line longer than {@code maxLine} is an error (a broken upstream).
 */
public final class SseLineReader {

    private final InputStream in;
    private final int maxLine;
    /** Small: the input is buffered already (the upstream connection's buffer), and a held stream keeps this one. */
    private final byte[] buf = new byte[1024];
    private int pos;
    private int limit;
    private byte[] line = new byte[512];
    private int lineLen;

    public SseLineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line, or null at the end of the stream (a last line without newline is returned first). */
    public byte[] readLine() throws IOException {
        lineLen = 0;
        while (true) {
            if (pos == limit) {
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    return lineLen > 0 ? take() : null;
                }
                pos = 0;
                limit = n;
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            append(buf, start, pos - start);
            if (pos < limit) { // found '\n'
                pos++;
                if (lineLen > 0 && line[lineLen - 1] == '\r') {
                    lineLen--;
                }
                return take();
            }
        }
    }

    private void append(byte[] src, int off, int len) throws IOException {
        if (lineLen + len > maxLine) {
            throw new IOException("SSE line longer than " + maxLine + " bytes");
        }
        if (lineLen + len > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + len));
        }
        System.arraycopy(src, off, line, lineLen, len);
        lineLen += len;
    }

    private byte[] take() {
        return Arrays.copyOf(line, lineLen);
    }
}
