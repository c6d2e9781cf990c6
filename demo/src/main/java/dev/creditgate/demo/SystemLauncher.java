package dev.creditgate.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.creditgate.credits.CreditsApplication;
import dev.creditgate.gateway.GatewayApplication;
import dev.creditgate.testkit.MockUpstream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole system in one JVM: the mock upstream, the gateway and the credit platform, each on its own port, wired
 * together as an operator would wire them (the platform knows the gateway's URL and admin token by its properties;
 * the gateway learns the platform's URL, service token and webhook secret through {@code PUT /api/option/}).
 *
 * <p>Start order: upstream, gateway, credit platform (it needs the gateway's URL), then the gateway's options. A
 * port of 0 picks a free one; after the first start each app keeps its port, so {@link #stopGateway()} /
 * {@link #startGateway()} and {@link #stopCredits()} / {@link #startCredits()} bring it back at the same URL (the
 * data survives when the datasource does: a file, a server, or H2 in memory with {@code DB_CLOSE_DELAY=-1}).
 *
 * <pre>{@code
 * try (SystemLauncher system = SystemLauncher.start(SystemLauncher.Config.inMemory("mytest"))) {
 *     system.gatewayUrl(); system.creditsUrl(); system.upstream().reply("hi");
 * }
 * }</pre>
 */
public final class SystemLauncher implements AutoCloseable {

    /**
     * What to start.
     *
     * @param host                 address every server binds to (and the URLs use)
     * @param gatewayPort          0 = random
     * @param creditsPort          0 = random
     * @param upstreamPort         0 = random
     * @param gatewayDatasourceUrl JDBC URL of the gateway's database
     * @param creditsDatasourceUrl JDBC URL of the credit platform's database
     * @param gatewayAdminToken    {@code gateway.admin-token} (32+ chars)
     * @param creditsAdminToken    {@code credits.admin-token} (32+ chars)
     * @param creditsServiceToken  {@code credits.service-token}, given to the gateway as {@code letaicode_admin_token}
     * @param webhookSecret        {@code credits.webhook-secret} = the gateway's {@code letaicode_webhook_secret}
     * @param quiet                the apps' INFO logs to WARN and no banner
     * @param gatewayOptions       more gateway options set through {@code PUT /api/option/} after the credit wiring
     * @param gatewayProperties    more Spring properties of the gateway (e.g. the datasource user); without
     *                             {@code gateway.secret-key} the launcher generates one, kept across restarts of
     *                             this launcher (not of the JVM: a file database reopened by another launcher needs
     *                             the key given here)
     * @param creditsProperties    more Spring properties of the credit platform
     */
    public record Config(String host, int gatewayPort, int creditsPort, int upstreamPort,
                         String gatewayDatasourceUrl, String creditsDatasourceUrl,
                         String gatewayAdminToken, String creditsAdminToken, String creditsServiceToken,
                         String webhookSecret, boolean quiet, Map<String, String> gatewayOptions,
                         Map<String, String> gatewayProperties, Map<String, String> creditsProperties) {

        public Config {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(gatewayDatasourceUrl, "gatewayDatasourceUrl");
            Objects.requireNonNull(creditsDatasourceUrl, "creditsDatasourceUrl");
            gatewayOptions = Map.copyOf(gatewayOptions);
            gatewayProperties = Map.copyOf(gatewayProperties);
            creditsProperties = Map.copyOf(creditsProperties);
        }

        /** Random ports, H2 in memory (kept across app restarts), fresh random secrets, INFO logs. */
        public static Config inMemory(String name) {
            String db = name.replaceAll("[^A-Za-z0-9_]", "_");
            return new Config("127.0.0.1", 0, 0, 0,
                    "jdbc:h2:mem:gw_" + db + ";MODE=LEGACY;DB_CLOSE_DELAY=-1",
                    "jdbc:h2:mem:cr_" + db + ";DB_CLOSE_DELAY=-1",
                    Secrets.token("gw-admin-"), Secrets.token("cr-admin-"), Secrets.token("cr-service-"),
                    Secrets.token("whsec-"), false, Map.of(), Map.of(), Map.of());
        }

        public Config withPorts(int gateway, int credits, int upstream) {
            return new Config(host, gateway, credits, upstream, gatewayDatasourceUrl, creditsDatasourceUrl,
                    gatewayAdminToken, creditsAdminToken, creditsServiceToken, webhookSecret, quiet,
                    gatewayOptions, gatewayProperties, creditsProperties);
        }

        public Config withQuiet(boolean q) {
            return new Config(host, gatewayPort, creditsPort, upstreamPort, gatewayDatasourceUrl,
                    creditsDatasourceUrl, gatewayAdminToken, creditsAdminToken, creditsServiceToken, webhookSecret,
                    q, gatewayOptions, gatewayProperties, creditsProperties);
        }

        public Config withGatewayOptions(Map<String, String> options) {
            return new Config(host, gatewayPort, creditsPort, upstreamPort, gatewayDatasourceUrl,
                    creditsDatasourceUrl, gatewayAdminToken, creditsAdminToken, creditsServiceToken, webhookSecret,
                    quiet, options, gatewayProperties, creditsProperties);
        }

        public Config withProperties(Map<String, String> gateway, Map<String, String> credits) {
            return new Config(host, gatewayPort, creditsPort, upstreamPort, gatewayDatasourceUrl,
                    creditsDatasourceUrl, gatewayAdminToken, creditsAdminToken, creditsServiceToken, webhookSecret,
                    quiet, gatewayOptions, gateway, credits);
        }

        @Override
        public String toString() { // never the secrets
            return "Config[host=" + host + ", ports=" + gatewayPort + "/" + creditsPort + "/" + upstreamPort
                    + ", gatewayDb=" + gatewayDatasourceUrl + ", creditsDb=" + creditsDatasourceUrl
                    + ", quiet=" + quiet + "]";
        }
    }

    private final Config config;
    private final MockUpstream upstream;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile ConfigurableApplicationContext gateway;
    private volatile ConfigurableApplicationContext credits;
    private volatile int gatewayPort;
    private volatile int creditsPort;
    private final String generatedSecretKey = Secrets.aesKey();

    private SystemLauncher(Config config, MockUpstream upstream) {
        this.config = config;
        this.upstream = upstream;
        this.gatewayPort = config.gatewayPort();
        this.creditsPort = config.creditsPort();
    }

    /** Starts everything and wires the gateway's credit options; on any failure, stops what started and rethrows. */
    public static SystemLauncher start(Config config) {
        MockUpstream mock = MockUpstream.start(config.upstreamPort());
        SystemLauncher system = new SystemLauncher(config, mock);
        try {
            system.startGateway();
            system.startCredits();
            system.wireGatewayOptions();
            return system;
        } catch (RuntimeException | Error e) {
            system.close();
            throw e;
        }
    }

    public Config config() {
        return config;
    }

    public MockUpstream upstream() {
        return upstream;
    }

    /** {@code http://host:port} of the mock upstream (no {@code /v1}). */
    public String upstreamUrl() {
        return upstream.baseUrl();
    }

    public String gatewayUrl() {
        return "http://" + config.host() + ":" + gatewayPort;
    }

    public String creditsUrl() {
        return "http://" + config.host() + ":" + creditsPort;
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    public int creditsPort() {
        return creditsPort;
    }

    public boolean gatewayRunning() {
        ConfigurableApplicationContext c = gateway;
        return c != null && c.isActive();
    }

    public boolean creditsRunning() {
        ConfigurableApplicationContext c = credits;
        return c != null && c.isActive();
    }

    /** The running gateway's Spring context (for tests that need a bean); null while stopped. */
    public ConfigurableApplicationContext gatewayContext() {
        return gateway;
    }

    /** The running credit platform's Spring context; null while stopped. */
    public ConfigurableApplicationContext creditsContext() {
        return credits;
    }

    /** Starts the gateway (on its previous port after a stop). No-op when it runs. */
    public synchronized void startGateway() {
        if (gatewayRunning()) {
            return;
        }
        Map<String, Object> props = common(gatewayPort,
                config.gatewayDatasourceUrl());
        props.put("gateway.admin-token", config.gatewayAdminToken());
        props.put("gateway.secret-key", generatedSecretKey);
        props.putAll(config.gatewayProperties());
        gateway = withOurClassLoader(() -> new SpringApplicationBuilder(GatewayApplication.class)
                .properties("spring.config.name=" + GatewayApplication.CONFIG_NAME).run(args(props)));
        gatewayPort = port(gateway);
    }

    /** Stops the gateway (graceful: its log writer flushes). No-op when stopped. */
    public synchronized void stopGateway() {
        ConfigurableApplicationContext c = gateway;
        gateway = null;
        if (c != null) {
            c.close();
        }
    }

    /** Starts the credit platform (on its previous port after a stop), pointed at the gateway's URL. */
    public synchronized void startCredits() {
        if (creditsRunning()) {
            return;
        }
        Map<String, Object> props = common(creditsPort,
                config.creditsDatasourceUrl());
        props.put("credits.admin-token", config.creditsAdminToken());
        props.put("credits.service-token", config.creditsServiceToken());
        props.put("credits.webhook-secret", config.webhookSecret());
        props.put("credits.gateway.url", gatewayUrl());
        props.put("credits.gateway.admin-token", config.gatewayAdminToken());
        props.putAll(config.creditsProperties());
        credits = withOurClassLoader(() -> new SpringApplicationBuilder(CreditsApplication.class)
                .properties("spring.config.name=" + CreditsApplication.CONFIG_NAME).run(args(props)));
        creditsPort = port(credits);
    }

    /** Stops the credit platform: the gateway then sees an outage (connection refused). No-op when stopped. */
    public synchronized void stopCredits() {
        ConfigurableApplicationContext c = credits;
        credits = null;
        if (c != null) {
            c.close();
        }
    }

    /**
     * Sets the gateway's credit options through its management API: {@code letaicode_domain} = the platform's URL,
     * {@code letaicode_admin_token} = the platform's service token, {@code letaicode_webhook_secret} = the webhook
     * secret, then {@link Config#gatewayOptions()}.
     */
    public void wireGatewayOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("letaicode_domain", creditsUrl());
        options.put("letaicode_admin_token", config.creditsServiceToken());
        options.put("letaicode_webhook_secret", config.webhookSecret());
        options.putAll(config.gatewayOptions());
        options.forEach(this::putGatewayOption);
    }

    /** {@code PUT /api/option/ {key, value}} on the gateway; throws with the gateway's answer when refused. */
    public void putGatewayOption(String key, String value) {
        String body = "{\"key\":" + Json.quote(key) + ",\"value\":" + Json.quote(value) + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl() + "/api/option/"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + config.gatewayAdminToken())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("gateway option " + key + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() != 200 || !response.body().contains("\"success\":true")) {
            throw new IllegalStateException("gateway refused option " + key + ": HTTP " + response.statusCode()
                    + " " + response.body());
        }
    }

    /** Stops the credit platform, the gateway and the upstream, in that order; never throws. */
    @Override
    public void close() {
        List<Throwable> errors = new ArrayList<>();
        run(this::stopCredits, errors);
        run(this::stopGateway, errors);
        run(upstream::close, errors);
        http.close();
        if (!errors.isEmpty()) {
            System.err.println("creditgate: errors while stopping: " + errors);
        }
    }

    /**
     * Spring finds its factories through the thread's context class loader; a restart asked for on another thread
     * (the demo's control endpoint) must see the same classes as the first start (in {@code demo.jar}: Spring
     * Boot's nested-jar class loader, not the system one).
     */
    private static <T> T withOurClassLoader(java.util.function.Supplier<T> action) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(SystemLauncher.class.getClassLoader());
        try {
            return action.get();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /**
     * Given as command-line arguments, so that they win over the apps' own {@code gateway.yml}/{@code credits.yml}
     * (properties of {@link SpringApplicationBuilder#properties} are defaults, below the config files).
     */
    private static String[] args(Map<String, Object> props) {
        return props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    private Map<String, Object> common(int port, String datasourceUrl) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("server.address", config.host());
        props.put("server.port", port);
        props.put("spring.datasource.url", datasourceUrl);
        // the JVM's shutdown runs close() (demo) or the test closes it: no per-app hook racing with ours
        props.put("spring.main.register-shutdown-hook", false);
        // both apps share one logging system, whose [application name] would be the first app's: the logger's
        // package (d.c.gateway... / d.c.credits...) tells them apart
        props.put("logging.include-application-name", false);
        if (config.quiet()) {
            props.put("spring.main.banner-mode", "off");
            props.put("spring.main.log-startup-info", false);
            props.put("logging.level.root", "WARN");
            props.put("logging.level.org.flywaydb", "ERROR"); // "H2 newer than verified" on every start
        }
        return props;
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static void run(Runnable r, List<Throwable> errors) {
        try {
            r.run();
        } catch (RuntimeException e) {
            errors.add(e);
        }
    }
}
