package dev.creditgate.credits.gatewaysync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import dev.creditgate.credits.CreditsProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Security review finding 13: the compensation's look-up matches remote_key_id exactly, whatever the gateway lists. */
class GatewayClientTest {

    private HttpServer server;
    private final AtomicReference<String> listAnswer = new AtomicReference<>();
    private GatewayClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/token/", exchange -> {
            byte[] body = listAnswer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        client = new GatewayClient(new CreditsProperties("a".repeat(32), "s".repeat(32), null, "w".repeat(32),
                BigDecimal.valueOf(100), null,
                new CreditsProperties.Gateway(url, "g".repeat(32), Duration.ofSeconds(2), Duration.ofSeconds(60),
                        Duration.ofSeconds(30)), null, null, null));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aGatewayThatIgnoresTheFilterDoesNotMakeAnotherTokenMatch() throws Exception {
        // A gateway that ignores ?remote_key_id= and lists every token: one without remote_key_id, one of another key.
        listAnswer.set("""
                {"success":true,"message":"","data":{"items":[
                  {"id":7,"name":"someone else's native token"},
                  {"id":8,"remote_key_id":null},
                  {"id":9,"remote_key_id":"other-key-id"}],"total":3}}""");
        assertThat(client.findByRemoteKeyId("my-key-id")).isEmpty();
    }

    @Test
    void theExactMatchIsFoundAmongOthers() throws Exception {
        listAnswer.set("""
                {"success":true,"message":"","data":{"items":[
                  {"id":7},
                  {"id":9,"remote_key_id":"other-key-id"},
                  {"id":11,"remote_key_id":"my-key-id"}],"total":3}}""");
        assertThat(client.findByRemoteKeyId("my-key-id")).contains(11L);
    }
}
