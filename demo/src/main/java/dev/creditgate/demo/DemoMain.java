package dev.creditgate.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import tools.jackson.databind.JsonNode;

/**
 * {@code java -jar demo/target/demo.jar}: the credit platform, the gateway and a mock upstream in one process on
 * H2 files under {@code ./data}, seeded on the first start (a demo user with credits, a demo key issued by the
 * platform, a mock channel with priced models, a native gateway user and key) and kept across restarts
 * ({@code ./data/demo.json}). Prints the URLs, keys, tokens and commands to try, then
 * {@value #READY_LINE}. Flags: {@code --help}.
 */
public final class DemoMain {

    /** Printed once everything is up and seeded (the end-to-end test waits for it). */
    public static final String READY_LINE = "Creditgate demo ready.";

    private DemoMain() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        DemoOptions options;
        try {
            options = DemoOptions.parse(args, System::getProperty, System::getenv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            out.print(DemoOptions.usage());
            return;
        }
        Running running;
        try {
            running = start(options, out);
        } catch (RuntimeException e) {
            System.err.println("the demo did not start: " + rootMessage(e));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping the Creditgate demo ...");
            running.close();
            stopped.countDown();
        }, "demo-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Everything the demo runs; closing stops it all. */
    record Running(SystemLauncher system, ControlServer control, DemoState state) implements AutoCloseable {
        @Override
        public void close() {
            control.close();
            system.close();
        }
    }

    static Running start(DemoOptions options, PrintStream out) {
        Path data = options.dataDir();
        DemoState state = DemoState.load(data);
        boolean firstRun = !state.has("demoKey");
        SystemLauncher.Config config = new SystemLauncher.Config(options.host(), options.gatewayPort(),
                options.creditsPort(), options.upstreamPort(),
                "jdbc:h2:file:" + data.resolve("gateway") + ";MODE=LEGACY;AUTO_SERVER=FALSE;QUERY_CACHE_SIZE=32",
                "jdbc:h2:file:" + data.resolve("credits") + ";AUTO_SERVER=FALSE",
                state.secret("gatewayAdminToken", "gw-admin-"), state.secret("creditsAdminToken", "cr-admin-"),
                state.secret("creditsServiceToken", "cr-service-"), state.secret("webhookSecret", "whsec-"),
                !options.verbose(), Map.of(),
                // usage served during an outage is retried at most every 5 s (default 10 min), so the demo's
                // outage ends visibly within seconds of the platform's return
                // the key that encrypts upstream keys and secret options in the gateway's database, kept in demo.json
                Map.of("gateway.usage.outbox.max-backoff", "5s",
                        "gateway.secret-key", state.secretKey("gatewaySecretKey")), Map.of());
        out.println("starting the Creditgate demo (credit platform, gateway, mock upstream) with data in " + data
                + (firstRun ? " (first run: seeding)" : " (existing data)") + " ...");
        SystemLauncher system = SystemLauncher.start(config);
        ControlServer control = null;
        try {
            new Seeder(system, state).seed();
            control = ControlServer.start(options.host(), options.controlPort(), system, config.creditsAdminToken());
            state.put("gatewayUrl", system.gatewayUrl());
            state.put("creditsUrl", system.creditsUrl());
            state.put("upstreamUrl", system.upstreamUrl());
            state.put("controlUrl", control.url());
            state.writeEnv(env(state, data));
            out.println("gateway console: " + system.gatewayUrl() + "/console   one-click login (once, 30 min): "
                    + system.gatewayUrl() + system.gatewayContext().getBean(dev.creditgate.gateway.console.ConsoleLogin.class)
                            .oneTimeLink(java.time.Duration.ofMinutes(30)));
            printBanner(out, system, state, data);
            printCreditsConsole(out, system);
            return new Running(system, control, state);
        } catch (RuntimeException | java.io.IOException e) {
            if (control != null) {
                control.close();
            }
            system.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
        }
    }

    static Map<String, String> env(DemoState s, Path data) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CG_DATA_DIR", data.toString());
        env.put("CG_GATEWAY", s.get("gatewayUrl"));
        env.put("CG_CREDITS", s.get("creditsUrl"));
        env.put("CG_UPSTREAM", s.get("upstreamUrl"));
        env.put("CG_CONTROL", s.get("controlUrl"));
        env.put("CG_GATEWAY_ADMIN_TOKEN", s.get("gatewayAdminToken"));
        env.put("CG_CREDITS_ADMIN_TOKEN", s.get("creditsAdminToken"));
        env.put("CG_SERVICE_TOKEN", s.get("creditsServiceToken"));
        env.put("CG_DEMO_USER_ID", s.get("demoUserId"));
        env.put("CG_DEMO_KEY_ID", s.get("demoKeyId"));
        env.put("CG_DEMO_KEY", s.get("demoKey"));
        env.put("CG_DEMO_TOKEN_ID", s.get("demoGatewayTokenId"));
        env.put("CG_NATIVE_USER_ID", s.get("nativeUserId"));
        env.put("CG_NATIVE_KEY", s.get("nativeKey"));
        return env;
    }

    /** The credit platform's console and a one-time operator login link (issue 12). */
    private static void printCreditsConsole(PrintStream out, SystemLauncher system) {
        String code = system.creditsContext().getBean(dev.creditgate.credits.console.ConsoleAccess.class)
                .operatorLoginCode(java.time.Duration.ofHours(1));
        out.printf("  credit platform console  %s/console/login?code=%s  (operator, one-time link, 1 h)%n"
                + "                           %s/console/me  (key holders: log in with an API key, e.g. $CG_DEMO_KEY)%n%n",
                system.creditsUrl(), code, system.creditsUrl());
        out.flush();
    }

    private static void printBanner(PrintStream out, SystemLauncher system, DemoState s, Path data) {
        String balance;
        try (Api credits = Api.bearer(system.creditsUrl(), system.config().creditsAdminToken())) {
            JsonNode user = credits.get("/api/users/" + s.get("demoUserId"));
            balance = user.path("available").asString() + " credits available";
        } catch (RuntimeException e) {
            balance = "balance unknown (" + e.getMessage() + ")";
        }
        String envFile = data.resolve(DemoState.ENV_FILE).toString();
        out.printf("""

                Creditgate demo is running. Ctrl-C stops it; start it again to continue with the same data
                (delete %s to start afresh).

                  gateway          %s   admin token   %s
                  credit platform  %s   admin token   %s
                                                            service token %s
                  mock upstream    %s
                  demo control     %s   POST /platform/stop | /platform/start (Bearer <credit platform admin token>)

                  demo user        %s  %s, %s
                  demo key         %s
                                   platform key id %s = gateway token %s (source=letaicode)
                  native key       %s  (gateway user %s, quota %d = 1 USD)
                  models           %s: %s USD per call = 1 credit (100 credits per USD); %s: ratio-priced

                Every value is also in %s (and %s). Try:

                  . %s
                  curl -s $CG_GATEWAY/v1/chat/completions -H "Authorization: Bearer $CG_DEMO_KEY" \\
                       -H 'Content-Type: application/json' \\
                       -d '{"model":"%s","messages":[{"role":"user","content":"Hello"}]}'
                  curl -s $CG_GATEWAY/v1beta/models/%s:generateContent -H "x-goog-api-key: $CG_DEMO_KEY" \\
                       -H 'Content-Type: application/json' -d '{"contents":[{"parts":[{"text":"Hello"}]}]}'
                  curl -s $CG_CREDITS/api/credits/balance/$CG_DEMO_KEY_ID -H "X-API-Key: $CG_SERVICE_TOKEN"
                  bash demo/walkthrough.sh          # the guided tour: credit runs out, top-up, platform outage

                %s
                """,
                data,
                system.gatewayUrl(), s.get("gatewayAdminToken"),
                system.creditsUrl(), s.get("creditsAdminToken"), s.get("creditsServiceToken"),
                system.upstreamUrl(), s.get("controlUrl"),
                s.get("demoUserId"), Seeder.DEMO_EMAIL, balance,
                s.get("demoKey"), s.get("demoKeyId"), s.get("demoGatewayTokenId"),
                s.get("nativeKey"), s.get("nativeUserId"), Seeder.NATIVE_QUOTA,
                Seeder.FIXED_MODEL, Seeder.FIXED_PRICE_USD, Seeder.RATIO_MODEL,
                data.resolve(DemoState.ENV_FILE), data.resolve(DemoState.FILE), envFile,
                Seeder.FIXED_MODEL, Seeder.GEMINI_MODEL, READY_LINE);
        out.flush();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = e.toString();
        while (t != null) {
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
            t = t.getCause();
        }
        return msg;
    }
}
