package dev.creditgate.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Runs a script in the machine's {@code node}, or skips the calling test with a printed reason. */
final class NodeJs {

    private NodeJs() {
    }

    /** Feeds {@code lines} to a script that maps each input line to one output line. */
    static List<String> mapLines(String script, List<String> lines) throws IOException, InterruptedException {
        String version = version();
        Assumptions.assumeTrue(version != null, "node not found on PATH: skipping the comparison with real JavaScript");
        Path dir = Files.createTempDirectory("cg-node");
        try {
            Path in = dir.resolve("in.txt");
            Path js = dir.resolve("script.js");
            Files.write(in, lines, StandardCharsets.UTF_8);
            Files.writeString(js, """
                    const fs = require('fs');
                    const lines = fs.readFileSync(process.argv[2], 'utf8').split('\\n');
                    lines.pop();
                    const f = %s;
                    process.stdout.write(lines.map(f).join('\\n') + '\\n');
                    """.formatted(script));
            Process p = new ProcessBuilder("node", js.toString(), in.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("node failed: " + new String(out, StandardCharsets.UTF_8));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            return List.of(text.substring(0, text.length() - 1).split("\n", -1));
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    static String version() {
        try {
            Process p = new ProcessBuilder("node", "-v").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? v : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
