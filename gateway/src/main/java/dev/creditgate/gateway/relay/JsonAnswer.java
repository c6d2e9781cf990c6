package dev.creditgate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole (non-stream) 2xx upstream answer: its bytes, forwarded unchanged, and their parsed JSON, read for usage.
 *
 * @param bytes the body as the upstream sent it
 * @param tree  the parsed body
 */
public record JsonAnswer(byte[] bytes, JsonNode tree) {

    /** Up to this announced length the body is read into one array of its size. */
    private static final int MAX_SIZED_READ = 64 << 20;

    /**
     * Reads the whole body.
     *
     * @throws IOException when the upstream failed while sending it or it is not JSON: nothing reached the client,
     *                     so the pipeline may fail over
     */
    public static JsonAnswer read(HttpResponse<InputStream> answer, JsonMapper json) throws IOException {
        byte[] body;
        long length = answer.headers().firstValueAsLong("Content-Length").orElse(-1);
        try (InputStream in = answer.body()) {
            // one array of the body's size when it is announced (readAllBytes would fill 16 KB buffers and copy)
            if (length >= 0 && length <= MAX_SIZED_READ) {
                body = in.readNBytes((int) length);
                in.read(); // sees the end, so that the connection can be reused (a byte more would be a framing error)
            } else {
                body = in.readAllBytes();
            }
        }
        try {
            JsonNode tree = json.readTree(body);
            if (tree == null || tree.isMissingNode()) {
                throw new IOException("2xx answer with an empty body");
            }
            return new JsonAnswer(body, tree);
        } catch (JacksonException e) {
            throw new IOException("2xx answer that is not JSON (" + body.length + " bytes)");
        }
    }

    /**
     * Writes the body to the client with the upstream's status and content type.
     *
     * @return false when the client went away before it was written
     */
    public boolean writeTo(HttpResponse<InputStream> answer, HttpServletResponse client) {
        client.setStatus(answer.statusCode());
        client.setContentType(answer.headers().firstValue("Content-Type").orElse("application/json"));
        client.setContentLength(bytes.length);
        try {
            ServletOutputStream out = client.getOutputStream();
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
