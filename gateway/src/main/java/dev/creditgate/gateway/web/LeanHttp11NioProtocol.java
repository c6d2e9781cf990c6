package dev.creditgate.gateway.web;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's NIO HTTP/1.1 connector with a smaller servlet response buffer: 4 KiB instead of 8 KiB of bytes and 8 KiB
 * instead of 16 KiB of chars for its writer, held by every request in progress (a stream holds its request for
 * minutes). Answers larger than the buffer go out as they are written, in chunks of it; the relay writes its own
 * bodies with their length, so only longer management answers lose their {@code Content-Length} (they are sent
 * chunked). Installed by {@link TomcatBuffers}.
 */
public class LeanHttp11NioProtocol extends Http11NioProtocol {

    /** The servlet response buffer of each request, in bytes. */
    public static final int RESPONSE_BUFFER = 4 * 1024;

    @Override
    public int getDesiredBufferSize() {
        return RESPONSE_BUFFER;
    }
}
