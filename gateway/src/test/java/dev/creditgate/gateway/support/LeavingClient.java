package dev.creditgate.gateway.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A client that sends a whole request and goes away before the answer: it waits until {@code whileWaiting} returns
 * (e.g. the upstream received the relayed call), then resets the connection (SO_LINGER 0), so that the gateway's
 * write of the answer fails instead of landing in a half-closed socket's buffer.
 */
public final class LeavingClient {

    private LeavingClient() {
    }

    public static void postThenLeave(String baseUrl, String path, String authorization, String json,
                                     Runnable whileWaiting) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAuthorization: " + authorization + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            whileWaiting.run();
            socket.setSoLinger(true, 0);
        }
    }
}
