package dev.creditgate.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.creditgate.gateway.GatewayApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gateway started on a random port for a test, with a small HTTP client for its API: in this JVM
 * ({@link #start}), or as a JVM of its own ({@link #startProcess}) that a test can kill with SIGKILL.
 */
public final class RunningGateway implements AutoCloseable {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789-abcdefghijkl";
    /** {@code gateway.secret-key} of test gateways: base64 of 32 bytes. */
    public static final String SECRET_KEY = "dGVzdC1zZWNyZXQta2V5LTAxMjM0NTY3ODktYWJjZGU=";
    public static final JsonMapper JSON = JsonMapper.builder().build();

    /** A status code and the parsed JSON body (null when the body is not JSON). */
    public record Answer(int status, JsonNode json, String body, java.net.http.HttpHeaders headers) {
        public JsonNode data() {
            return json.path("data");
        }
    }

    private final ConfigurableApplicationContext context;
    private final Process process;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private RunningGateway(ConfigurableApplicationContext context) {
        this.context = context;
        this.process = null;
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.baseUrl = "http://127.0.0.1:" + port;
    }

    private RunningGateway(Process process, int port) {
        this.context = null;
        this.process = process;
        this.baseUrl = "http://127.0.0.1:" + port;
    }

    private static List<String> properties(TestDatabases.Db db, String port, String... extraProperties) {
        List<String> props = new ArrayList<>(List.of(
                "spring.config.name=" + GatewayApplication.CONFIG_NAME,
                "server.port=" + port,
                "spring.datasource.url=" + db.url(),
                "spring.datasource.username=" + db.username(),
                "spring.datasource.password=" + db.password(),
                "gateway.admin-token=" + ADMIN_TOKEN,
                "logging.level.root=WARN"));
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith("gateway.secret-key="))) {
            props.add("gateway.secret-key=" + SECRET_KEY); // a repeated argument would be joined, not replaced
        }
        props.addAll(List.of(extraProperties));
        // Channel health would disable the channels of tests that inject repeated upstream failures on purpose:
        // off unless the test sets it (ChannelHealthIT).
        if (props.stream().noneMatch(p -> p.startsWith("gateway.channel-health.enabled="))) {
            props.add("gateway.channel-health.enabled=false");
        }
        return props;
    }

    /**
     * A gateway in a JVM of its own (this JVM's java and class path), for tests that kill it with SIGKILL; its output
     * goes to {@code target/gateway-process-<port>.log}. Waits until it answers.
     */
    public static RunningGateway startProcess(TestDatabases.Db db, String... extraProperties) {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                GatewayApplication.class.getName()));
        properties(db, Integer.toString(port), extraProperties).forEach(p -> command.add("--" + p));
        java.io.File log = new java.io.File("target/gateway-process-" + port + ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log)).start();
            RunningGateway g = new RunningGateway(p, port);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the gateway process exited with " + p.exitValue() + "; see "
                            + log.getAbsolutePath());
                }
                try {
                    if (g.call("GET", "/api/status", null, null).status() == 200) {
                        return g;
                    }
                } catch (UncheckedIOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("the gateway process did not answer within 90 s; see " + log);
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL (a gateway started with {@link #startProcess}): no shutdown hook, nothing flushed. */
    public void kill() {
        if (process == null) {
            throw new IllegalStateException("not a process");
        }
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static RunningGateway start(TestDatabases.Db db, String... extraProperties) {
        return start(db, new Class<?>[0], extraProperties);
    }

    /** With extra configuration classes (e.g. a test {@code Admission} bean). */
    public static RunningGateway start(TestDatabases.Db db, Class<?>[] extraSources, String... extraProperties) {
        List<String> props = properties(db, "0", extraProperties);
        // As command-line arguments: they outrank gateway.yml (builder "properties" are only defaults).
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(GatewayApplication.class)
                .sources(extraSources)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        return new RunningGateway(ctx);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public ConfigurableApplicationContext context() {
        if (context == null) {
            throw new IllegalStateException("a gateway process has no context in this JVM");
        }
        return context;
    }

    public Answer admin(String method, String path, String json) {
        return call(method, path, json, "Bearer " + ADMIN_TOKEN);
    }

    public Answer call(String method, String path, String json, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = null;
            try {
                node = r.body().isEmpty() ? null : JSON.readTree(r.body());
            } catch (RuntimeException notJson) {
                // leave null
            }
            return new Answer(r.statusCode(), node, r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls until {@code condition} holds for the answer, or fails after {@code timeout}. */
    public static Answer await(Duration timeout, java.util.function.Supplier<Answer> call, Predicate<Answer> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer last = call.get();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout + "; last answer: " + last.status()
                        + " " + last.body());
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            last = call.get();
        }
        return last;
    }

    public static String json(Object... keyValues) {
        var node = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            node.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return node.toString();
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        } else if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
