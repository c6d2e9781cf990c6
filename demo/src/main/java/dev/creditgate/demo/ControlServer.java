package dev.creditgate.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The demo's switch for outages: stop and start the credit platform inside the running demo.
 * {@code Authorization: Bearer <credit platform admin token>} on every route.
 *
 * <pre>
 * GET  /status          {"gateway":true,"credits":true}
 * POST /platform/stop   stops the credit platform (its port closes; the gateway sees an outage)
 * POST /platform/start  starts it again on the same port and answers once it is up
 * </pre>
 */
final class ControlServer implements AutoCloseable {

    private final HttpServer server;
    private final SystemLauncher system;
    private final byte[] token;

    private ControlServer(HttpServer server, SystemLauncher system, String token) {
        this.server = server;
        this.system = system;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    static ControlServer start(String host, int port, SystemLauncher system, String token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ControlServer control = new ControlServer(server, system, token);
        server.createContext("/", control::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return control;
    }

    String url() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getHostString() + ":" + a.getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8))) {
                reply(ex, 401, "{\"success\":false,\"message\":\"Unauthorized\"}");
                return;
            }
            String route = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
            switch (route) {
                case "GET /status" -> reply(ex, 200, status());
                case "POST /platform/stop" -> {
                    system.stopCredits();
                    reply(ex, 200, status());
                }
                case "POST /platform/start" -> {
                    try {
                        system.startCredits();
                    } catch (RuntimeException e) {
                        reply(ex, 500, "{\"success\":false,\"message\":" + Json.quote("start failed: " + e) + "}");
                        return;
                    }
                    reply(ex, 200, status());
                }
                default -> reply(ex, 404, "{\"success\":false,\"message\":"
                        + Json.quote("unknown route " + route + " (GET /status, POST /platform/stop, POST /platform/start)")
                        + "}");
            }
        }
    }

    private String status() {
        return "{\"success\":true,\"gateway\":" + system.gatewayRunning() + ",\"credits\":" + system.creditsRunning() + "}";
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
