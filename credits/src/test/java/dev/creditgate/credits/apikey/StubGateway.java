package dev.creditgate.credits.apikey;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small stand-in for the gateway's token API (new-api compatible, as the gateway helper builds it):
 * POST /api/token/ (idempotent for the same key + remote_key_id), GET /api/token/?source=&remote_key_id=,
 * PUT /api/token/ {id, status}, DELETE /api/token/:id; and the cost log GET /api/log/costs?start_timestamp=
 * &end_timestamp=&p=&page_size= (rows added with {@link #cost}, oldest first, p from 1, page_size 1..100, bounds
 * inclusive, new-api's envelope). Fault modes: refuse (401), slow after creating, create late (after the caller's
 * deadline), and down (the port closed); {@link #costsReply} replaces the cost log's answer.
 */
public final class StubGateway implements AutoCloseable {

    enum Mode { NORMAL, REFUSE, SLOW_AFTER_CREATE, CREATE_LATE }

    record Token(long id, String key, String remoteKeyId, int status, JsonNode request) {
    }

    public static final String ADMIN = "gateway-admin-token-0123456789-0123456789";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final Map<Long, Token> tokens = new ConcurrentHashMap<>();
    final AtomicLong ids = new AtomicLong(100);
    volatile Mode mode = Mode.NORMAL;
    volatile long delayMs = 1500;
    /** Cost log rows, in the order the gateway logged them. */
    private final List<Map<String, Object>> costs = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The query strings of the cost log requests received. */
    public final List<String> costQueries = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** When set: the cost log answers this status and body instead. */
    public volatile Map.Entry<Integer, String> costsReply;
    private HttpServer server;
    private final int port;

    public StubGateway() throws IOException {
        server = start(0);
        port = server.getAddress().getPort();
    }

    /** How many tokens the gateway holds now. */
    public int tokenCount() {
        return tokens.size();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public void down() {
        server.stop(0);
    }

    public void up() throws IOException {
        server = start(port);
    }

    private HttpServer start(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 0);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/api/token/", this::handle);
        s.createContext("/api/log/costs", this::costs);
        s.start();
        return s;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!("Bearer " + ADMIN).equals(ex.getRequestHeaders().getFirst("Authorization")) || mode == Mode.REFUSE) {
                send(ex, 401, "{\"success\":false,\"message\":\"unauthorized\"}");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            byte[] body = ex.getRequestBody().readAllBytes();
            switch (ex.getRequestMethod()) {
                case "POST" -> create(ex, JSON.readTree(body));
                case "GET" -> {
                    String remote = query == null ? null : query.replaceAll(".*remote_key_id=([^&]*).*", "$1");
                    List<Map<String, Object>> items = new ArrayList<>();
                    tokens.values().stream().filter(t -> t.remoteKeyId().equals(remote))
                            .forEach(t -> items.add(Map.of("id", t.id(), "remote_key_id", t.remoteKeyId(), "status", t.status())));
                    send(ex, 200, JSON.writeValueAsString(Map.of("success", true, "message", "",
                            "data", Map.of("items", items, "total", items.size()))));
                }
                case "PUT" -> {
                    JsonNode req = JSON.readTree(body);
                    Token t = tokens.get(req.get("id").longValue());
                    if (t == null) {
                        send(ex, 404, "{\"success\":false,\"message\":\"token not found\"}");
                        return;
                    }
                    tokens.put(t.id(), new Token(t.id(), t.key(), t.remoteKeyId(), req.get("status").intValue(), t.request()));
                    send(ex, 200, "{\"success\":true,\"message\":\"\",\"data\":{\"id\":" + t.id() + "}}");
                }
                case "DELETE" -> {
                    long id = Long.parseLong(path.substring("/api/token/".length()));
                    if (tokens.remove(id) == null) {
                        send(ex, 404, "{\"success\":false,\"message\":\"token not found\"}");
                    } else {
                        send(ex, 200, "{\"success\":true,\"message\":\"\"}");
                    }
                }
                default -> send(ex, 405, "{}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds a cost log row: {@code costUsd} as the gateway writes it (a decimal string). */
    public StubGateway cost(String requestId, long tokenId, String costUsd, long createdAt) {
        costs.add(Map.of("request_id", requestId, "token_id", tokenId, "cost_usd", costUsd, "created_at", createdAt));
        return this;
    }

    public void clearCosts() {
        costs.clear();
        costQueries.clear();
        costsReply = null;
    }

    private void costs(HttpExchange ex) throws IOException {
        try (ex) {
            if (!("Bearer " + ADMIN).equals(ex.getRequestHeaders().getFirst("Authorization")) || mode == Mode.REFUSE) {
                send(ex, 401, "{\"success\":false,\"message\":\"unauthorized\"}");
                return;
            }
            String query = ex.getRequestURI().getQuery();
            costQueries.add(query);
            Map.Entry<Integer, String> reply = costsReply;
            if (reply != null) {
                send(ex, reply.getKey(), reply.getValue());
                return;
            }
            Map<String, String> q = new java.util.HashMap<>();
            for (String kv : query == null ? new String[0] : query.split("&")) {
                int eq = kv.indexOf('=');
                q.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            long start = Long.parseLong(q.getOrDefault("start_timestamp", "0"));
            long end = Long.parseLong(q.getOrDefault("end_timestamp", Long.toString(Long.MAX_VALUE)));
            int page = Integer.parseInt(q.getOrDefault("p", "1"));
            int size = Integer.parseInt(q.getOrDefault("page_size", "10"));
            if (page < 1 || size < 1 || size > 100) {
                send(ex, 400, "{\"success\":false,\"message\":\"bad paging\"}");
                return;
            }
            List<Map<String, Object>> window = costs.stream().filter(c -> (long) c.get("created_at") >= start
                    && (long) c.get("created_at") <= end).toList();
            List<Map<String, Object>> items = window.stream().skip((long) (page - 1) * size).limit(size).toList();
            send(ex, 200, JSON.writeValueAsString(Map.of("success", true, "message", "",
                    "data", Map.of("items", items, "total", window.size(), "page", page, "page_size", size))));
        }
    }

    private void create(HttpExchange ex, JsonNode req) throws IOException, InterruptedException {
        if (mode == Mode.CREATE_LATE) {
            Thread.sleep(delayMs); // the gateway is slow and creates the token after the caller gave up
        }
        String key = req.get("key").asString();
        String remote = req.get("remote_key_id").asString();
        Token token = tokens.values().stream().filter(t -> t.key().equals(key) && t.remoteKeyId().equals(remote))
                .findFirst().orElse(null);
        if (token == null) {
            token = new Token(ids.incrementAndGet(), key, remote, 1, req);
            tokens.put(token.id(), token);
        }
        if (mode == Mode.SLOW_AFTER_CREATE) {
            Thread.sleep(delayMs); // created, but the answer comes after the caller's deadline
        }
        send(ex, 200, "{\"success\":true,\"message\":\"\",\"data\":{\"id\":" + token.id() + ",\"key\":\"sk-" + key + "\"}}");
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        } catch (IOException ignored) {
            // the caller gave up
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
