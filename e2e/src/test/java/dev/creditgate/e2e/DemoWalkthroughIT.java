package dev.creditgate.e2e;

import static dev.creditgate.e2e.Http.bearer;
import static dev.creditgate.e2e.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.creditgate.demo.DemoMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The README's demo, as a newcomer runs it: {@code java -jar demo/target/demo.jar} as a separate process in an empty
 * directory, then {@code demo/walkthrough.sh} (the script the README shows, which checks every answer itself), then a
 * restart on the same {@code ./data}: same key, same balance, no second seeding.
 *
 * <p>Which binary: {@code demo/target/demo.jar} when it exists (in {@code ./mvnw verify} the reactor packages the
 * demo module before e2e's tests run, because e2e depends on it); otherwise (e.g. {@code ./mvnw test}) the same main
 * class from this test's class path. The command used is printed.
 */
class DemoWalkthroughIT {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void theWalkthroughRunsAsWrittenAndTheDataSurvivesARestart() throws Exception {
        Assumptions.assumeTrue(onPath("bash") && onPath("curl"), "the walkthrough needs bash and curl");
        Process demo = startDemo("first");
        String firstLog = Files.readString(dir.resolve("first.log"));
        assertThat(firstLog).contains("(first run: seeding)", "demo key", "sk-", "admin token");
        Map<String, String> env = demoEnv();
        String key = env.get("CG_DEMO_KEY");

        Path root = projectRoot();
        ProcessBuilder walk = new ProcessBuilder("bash", root.resolve("demo/walkthrough.sh").toString(), "data")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("walkthrough.log").toFile());
        walk.environment().keySet().removeIf(k -> k.startsWith("CG_"));
        Process script = walk.start();
        processes.add(script);
        assertThat(script.waitFor(4, TimeUnit.MINUTES)).as("walkthrough finished").isTrue();
        String out = Files.readString(dir.resolve("walkthrough.log"));
        System.out.println("---- walkthrough output\n" + out + "----");
        assertThat(script.exitValue()).as(out).isZero();
        assertThat(out).contains("ok: the mock upstream answered", "403 insufficient_user_quota",
                "the demo key works again", "charged 5000 quota", "served from the last known balance",
                "503 credit_service_unavailable", "Walkthrough complete");

        String balanceBefore = credit(env);
        stop(demo);

        Process again = startDemo("second");
        String secondLog = Files.readString(dir.resolve("second.log"));
        assertThat(secondLog).contains("(existing data)").doesNotContain("first run");
        Map<String, String> env2 = demoEnv();
        assertThat(env2.get("CG_DEMO_KEY")).isEqualTo(key);
        assertThat(env2.get("CG_DEMO_KEY_ID")).isEqualTo(env.get("CG_DEMO_KEY_ID"));
        assertThat(env2.get("CG_GATEWAY_ADMIN_TOKEN")).isEqualTo(env.get("CG_GATEWAY_ADMIN_TOKEN"));
        assertThat(credit(env2)).isEqualTo(balanceBefore);
        // seeded once: still one demo user with that email, one key
        JsonNode keys = send("GET", env2.get("CG_CREDITS") + "/api/keys?userId=" + env2.get("CG_DEMO_USER_ID"), null,
                "Authorization", bearer(env2.get("CG_CREDITS_ADMIN_TOKEN"))).data();
        assertThat(keys.size()).isEqualTo(1);

        Http.Response call = chat(env2.get("CG_GATEWAY"), key);
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        assertThat(new java.math.BigDecimal(credit(env2)))
                .isEqualByComparingTo(new java.math.BigDecimal(balanceBefore).subtract(java.math.BigDecimal.ONE));
        assertThat(chat(env2.get("CG_GATEWAY"), env2.get("CG_NATIVE_KEY")).status()).isEqualTo(200);
        // the README's Gemini example: the seeded gemini channel on the mock, Google's route and key header
        Http.Response gemini = send("POST", env2.get("CG_GATEWAY") + "/v1beta/models/gemini-2.5-flash:generateContent",
                "{\"contents\":[{\"parts\":[{\"text\":\"Hello\"}]}]}", "x-goog-api-key", key,
                "Content-Type", "application/json");
        assertThat(gemini.status()).as(gemini.body()).isEqualTo(200);
        assertThat(gemini.body()).contains("usageMetadata", "Hello");
        stop(again);
    }

    @Test
    void badSettingsAreNamedTogetherInOneMessage() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> command = demoCommand();
            command.addAll(List.of("--gateway-port=" + busy.getLocalPort(), "--credits-port=abc",
                    "--upstream-port=70000", "--control-port=0", "--bogus=1"));
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            processes.add(p);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isEqualTo(2);
            assertThat(out).contains("4 settings to fix", "unknown flag --bogus",
                    "--gateway-port " + busy.getLocalPort() + " is in use",
                    "--credits-port \"abc\" is not a port", "--upstream-port \"70000\" is not a port");
        }
    }

    // ---- helpers

    private Process startDemo(String name) throws IOException, InterruptedException {
        List<String> command = demoCommand();
        command.addAll(List.of("--gateway-port=0", "--credits-port=0", "--upstream-port=0", "--control-port=0"));
        System.out.println("starting the demo: " + String.join(" ", command.subList(0, Math.min(4, command.size())))
                + " ... in " + dir);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        processes.add(p);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!Files.readString(log).contains(DemoMain.READY_LINE)) {
            assertThat(p.isAlive()).as("demo exited early:\n" + Files.readString(log)).isTrue();
            assertThat(Instant.now()).as("demo not ready in time:\n" + Files.readString(log)).isBefore(deadline);
            Thread.sleep(200); // polling interval
        }
        return p;
    }

    private void stop(Process p) throws Exception {
        p.destroy(); // SIGTERM: the demo's shutdown hook stops the apps gracefully
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("demo stopped").isTrue();
    }

    private List<String> demoCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = projectRoot().resolve("demo/target/demo.jar");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        if (Files.isRegularFile(jar)) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), DemoMain.class.getName()));
        }
        return command;
    }

    private Map<String, String> demoEnv() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("data/demo.env"))) {
            if (line.startsWith("export ")) {
                int eq = line.indexOf('=');
                env.put(line.substring(7, eq), line.substring(eq + 2, line.length() - 1));
            }
        }
        assertThat(Files.readString(dir.resolve("data/demo.json"))).contains(env.get("CG_DEMO_KEY"));
        return env;
    }

    private static String credit(Map<String, String> env) {
        Http.Response r = send("GET", env.get("CG_CREDITS") + "/api/credits/balance/" + env.get("CG_DEMO_KEY_ID"),
                null, "X-API-Key", env.get("CG_SERVICE_TOKEN"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("credit").asString();
    }

    private static Http.Response chat(String gateway, String key) {
        return send("POST", gateway + "/v1/chat/completions",
                "{\"model\":\"demo-fixed\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}",
                "Authorization", bearer(key));
    }

    private static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("demo/walkthrough.sh"))) {
            p = p.getParent();
        }
        assertThat(p).as("project root (with demo/walkthrough.sh) above " + Path.of("").toAbsolutePath()).isNotNull();
        return p;
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
