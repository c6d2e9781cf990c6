package dev.creditgate.e2e;

import static dev.creditgate.e2e.Http.bearer;
import static dev.creditgate.e2e.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.creditgate.demo.DemoMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two commands, read from the README itself, run as a newcomer on this kind of machine runs them:
 * {@code JAVA_HOME} unset and a Java older than 21 first on the {@code PATH} (here Debian's 17), a JDK 21+ installed
 * beside it. They run in a copy of the source tree (the files git knows), so that this build's own output is not
 * touched.
 *
 * <p>One concession to running inside the suite, through Maven's own {@code MAVEN_ARGS} so the command text stays
 * the README's: for the test command {@code -pl contract} (the whole suite is what runs this test; one module proves
 * the JDK is found, compiles and runs tests). Maven runs online, as for a user: the demo profile's plugins
 * (exec-maven-plugin) are not among what the suite itself needed, so on a fresh machine they are fetched here (an
 * offline run failed on exactly that). The demo's ports are 0 ({@code DEMO_*_PORT}) so that it cannot collide with anything.
 */
class ReadmeCommandsIT {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void bothCommandsWorkWithJavaHomeUnsetAndAnOldJavaFirstOnThePath() throws Exception {
        Optional<Path> oldJava = oldJava();
        oldJava.ifPresentOrElse(j -> System.out.println("ReadmeCommandsIT: old java first on the PATH: " + j),
                () -> System.out.println("ReadmeCommandsIT skipped: no java older than 21 on this machine to put first"));
        Assumptions.assumeTrue(oldJava.isPresent(), "no java older than 21 on this machine");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")) || onPath("git"), "copying the tree needs git");

        Path root = projectRoot();
        List<String> commands = readmeCommands(root.resolve("README.md"));
        assertThat(commands).as("the README's first code block").hasSize(2);
        Path copy = copyTree(root, dir.resolve("tree"));

        // the demo command: builds everything and runs the demo
        Path demoLog = dir.resolve("demo.log");
        Process demo = start(commands.get(0), copy, demoLog, oldJava.get(), "-B",
                Map.of("DEMO_GATEWAY_PORT", "0", "DEMO_CREDITS_PORT", "0", "DEMO_UPSTREAM_PORT", "0", "DEMO_CONTROL_PORT", "0"));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(12));
        while (!Files.readString(demoLog).contains(DemoMain.READY_LINE)) {
            assertThat(demo.isAlive()).as("the demo command ended early:\n" + tail(demoLog)).isTrue();
            assertThat(Instant.now()).as("demo not ready in time:\n" + tail(demoLog)).isBefore(deadline);
            Thread.sleep(500); // polling interval
        }
        Map<String, String> env = demoEnv(copy.resolve("data/demo.env"));
        Http.Response chat = send("POST", env.get("CG_GATEWAY") + "/v1/chat/completions",
                "{\"model\":\"demo-fixed\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}",
                "Authorization", bearer(env.get("CG_DEMO_KEY")));
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
        demo.descendants().forEach(ProcessHandle::destroy);
        demo.destroy();
        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // the test command, on one module
        Path testLog = dir.resolve("test.log");
        Process test = start(commands.get(1), copy, testLog, oldJava.get(), "-B -pl contract", Map.of());
        assertThat(test.waitFor(10, TimeUnit.MINUTES)).as("test command finished").isTrue();
        String out = Files.readString(testLog);
        assertThat(test.exitValue()).as(tail(testLog)).isZero();
        assertThat(out).contains("BUILD SUCCESS").containsPattern("Tests run: [1-9]").doesNotContain("release version");
    }

    private Process start(String command, Path cwd, Path log, Path oldJava, String mavenArgs, Map<String, String> extra)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.put("PATH", oldJava.getParent() + java.io.File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("MAVEN_ARGS", mavenArgs);
        env.putAll(extra);
        System.out.println("ReadmeCommandsIT: running `" + command + "` (MAVEN_ARGS=" + mavenArgs + ") in " + cwd);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** The commands of the README's first code block, comments removed. */
    static List<String> readmeCommands(Path readme) throws IOException {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(readme)) {
            if (line.startsWith("```")) {
                if (in) {
                    break;
                }
                in = true;
                continue;
            }
            if (in && !line.isBlank()) {
                int hash = line.indexOf(" #");
                out.add((hash < 0 ? line : line.substring(0, hash)).trim());
            }
        }
        return out;
    }

    private static Path copyTree(Path root, Path to) throws IOException, InterruptedException {
        Process ls = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                .directory(root.toFile()).redirectErrorStream(false).start();
        byte[] names = ls.getInputStream().readAllBytes();
        assertThat(ls.waitFor()).isZero();
        for (String name : new String(names, StandardCharsets.UTF_8).split("\0")) {
            Path source = root.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(source)) {
                continue; // deleted in the work tree
            }
            Path target = to.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return to;
    }

    /** A java older than 21: the one on the PATH if it is, else one under /usr/lib/jvm. */
    private static Optional<Path> oldJava() throws IOException {
        List<Path> candidates = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            candidates.add(Path.of(d, "java"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.sorted().forEach(home -> candidates.add(home.resolve("bin/java")));
            }
        }
        for (Path java : candidates) {
            if (Files.isExecutable(java)) {
                Path home = java.toRealPath().getParent().getParent();
                Optional<Integer> major = major(home);
                if (major.isPresent() && major.get() < 21) {
                    return Optional.of(java.toRealPath());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Integer> major(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("JAVA_VERSION=\"")) {
                String v = line.substring(14);
                int end = 0;
                while (end < v.length() && Character.isDigit(v.charAt(end))) {
                    end++;
                }
                return end == 0 ? Optional.empty() : Optional.of(Integer.parseInt(v.substring(0, end)));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> demoEnv(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("export ")) {
                int eq = line.indexOf('=');
                env.put(line.substring(7, eq), line.substring(eq + 2, line.length() - 1));
            }
        }
        return env;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("demo/walkthrough.sh"))) {
            p = p.getParent();
        }
        assertThat(p).as("project root above " + Path.of("").toAbsolutePath()).isNotNull();
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
