package dev.creditgate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * What the demo must remember between runs, in {@code <data-dir>/demo.json} (one string per key, one key per line,
 * so that {@code grep}/{@code sed} can read it): the session's secrets, the ids and keys it seeded (each written as
 * soon as it exists, so that an interrupted first start resumes instead of seeding twice) and the URLs of the
 * current run. {@code demo.env} beside it holds the same as shell exports for the walkthrough. Both files are
 * readable by the owner only (they hold secrets).
 */
final class DemoState {

    static final String FILE = "demo.json";
    static final String ENV_FILE = "demo.env";

    private final Path file;
    private final Map<String, String> values = new LinkedHashMap<>();

    private DemoState(Path file) {
        this.file = file;
    }

    static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve(FILE));
    }

    /** Reads {@code demo.json}, or starts empty when there is none. */
    static DemoState load(Path dataDir) {
        DemoState state = new DemoState(dataDir.resolve(FILE));
        if (Files.exists(state.file)) {
            JsonNode root;
            try {
                root = Json.parse(Files.readString(state.file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                throw new IllegalStateException(state.file + " is not valid JSON (" + e.getMessage()
                        + "); delete the data directory to start afresh");
            }
            root.properties().forEach(e -> state.values.put(e.getKey(), e.getValue().asString()));
        }
        return state;
    }

    String get(String key) {
        return values.get(key);
    }

    boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isEmpty();
    }

    /** The value of {@code key}, generated and saved on first use. */
    String secret(String key, String prefix) {
        if (!has(key)) {
            put(key, Secrets.token(prefix));
        }
        return get(key);
    }

    /** The gateway's {@code gateway.secret-key}, generated (base64 of 32 random bytes) and saved on first use. */
    String secretKey(String key) {
        if (!has(key)) {
            put(key, Secrets.aesKey());
        }
        return get(key);
    }

    /** Sets and saves at once. */
    void put(String key, String value) {
        values.put(key, value);
        save();
    }

    void save() {
        StringBuilder json = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            json.append("  ").append(Json.quote(e.getKey())).append(": ").append(Json.quote(e.getValue()))
                    .append(++i < values.size() ? ",\n" : "\n");
        }
        json.append("}\n");
        write(file, json.toString());
    }

    /** {@code demo.env}: {@code export NAME='value'} lines for the shell. */
    void writeEnv(Map<String, String> exports) {
        StringBuilder env = new StringBuilder("# written by the Creditgate demo at each start; source it: . data/demo.env\n");
        exports.forEach((k, v) -> env.append("export ").append(k).append("='")
                .append(v.replace("'", "'\\''")).append("'\n"));
        write(file.resolveSibling(ENV_FILE), env.toString());
    }

    private static void write(Path target, String content) {
        try {
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions apply
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
