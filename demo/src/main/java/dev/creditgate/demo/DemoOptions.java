package dev.creditgate.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The demo's settings. Each comes from, in order: the command line ({@code --gateway-port=3000} or
 * {@code --gateway-port 3000}), a system property ({@code -Ddemo.gateway-port=3000}), an environment variable
 * ({@code DEMO_GATEWAY_PORT=3000}), the default. {@link #parse} checks them all and reports every problem in one
 * message (unknown flag, bad number, port out of range or already in use, two servers on one port, data directory
 * not writable, databases without the demo's state file).
 *
 * @param host         address every server binds to
 * @param gatewayPort  gateway (0 = random)
 * @param creditsPort  credit platform (0 = random)
 * @param upstreamPort mock upstream (0 = random)
 * @param controlPort  the demo's control endpoint (0 = random)
 * @param dataDir      H2 files, {@code demo.json} and {@code demo.env}
 * @param verbose      keep the apps' INFO logs
 * @param help         print the usage and exit
 */
record DemoOptions(String host, int gatewayPort, int creditsPort, int upstreamPort, int controlPort, Path dataDir,
                   boolean verbose, boolean help) {

    /** name -> (default, description) */
    static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("gateway-port", new String[] {"3000", "gateway port (0 = random)"});
        FLAGS.put("credits-port", new String[] {"4000", "credit platform port (0 = random)"});
        FLAGS.put("upstream-port", new String[] {"8090", "mock upstream port (0 = random)"});
        FLAGS.put("control-port", new String[] {"4100", "demo control endpoint port (0 = random)"});
        FLAGS.put("host", new String[] {"127.0.0.1", "address the servers bind to"});
        FLAGS.put("data-dir", new String[] {"./data", "where the databases, demo.json and demo.env live"});
        FLAGS.put("verbose", new String[] {"false", "show the apps' INFO logs"});
        FLAGS.put("help", new String[] {"false", "print this help"});
    }

    static String usage() {
        StringBuilder b = new StringBuilder("usage: java -jar demo/target/demo.jar [--flag=value ...]\n");
        FLAGS.forEach((name, d) -> b.append(String.format("  --%-14s %s (default %s; -Ddemo.%s or env %s)%n",
                name, d[1], d[0], name, envName(name))));
        return b.toString();
    }

    static String envName(String flag) {
        return "DEMO_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Reads and checks every setting; throws {@link IllegalArgumentException} naming every problem. */
    static DemoOptions parse(String[] args, Function<String, String> systemProperties, Function<String, String> env) {
        List<String> problems = new ArrayList<>();
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                problems.add("unexpected argument \"" + a + "\" (flags look like --gateway-port=3000)");
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!FLAGS.containsKey(name)) {
                problems.add("unknown flag --" + name + " (known: " + String.join(", ", FLAGS.keySet()) + ")");
                continue;
            }
            boolean bool = name.equals("verbose") || name.equals("help");
            if (value == null) {
                if (bool) {
                    value = "true";
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    problems.add("--" + name + " needs a value");
                    continue;
                }
            }
            given.put(name, value);
        }
        Function<String, String> setting = name -> {
            String v = given.get(name);
            if (v == null) {
                v = systemProperties.apply("demo." + name);
            }
            if (v == null) {
                v = env.apply(envName(name));
            }
            return v == null ? FLAGS.get(name)[0] : v.trim();
        };
        boolean help = bool("help", setting.apply("help"), problems);
        boolean verbose = bool("verbose", setting.apply("verbose"), problems);
        String host = setting.apply("host");
        InetAddress address = null;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            problems.add("--host " + host + ": unknown host");
        }
        int gateway = port("gateway-port", setting.apply("gateway-port"), problems);
        int credits = port("credits-port", setting.apply("credits-port"), problems);
        int upstream = port("upstream-port", setting.apply("upstream-port"), problems);
        int control = port("control-port", setting.apply("control-port"), problems);
        Map<Integer, String> byPort = new LinkedHashMap<>();
        for (var p : List.of(Map.entry("gateway-port", gateway), Map.entry("credits-port", credits),
                Map.entry("upstream-port", upstream), Map.entry("control-port", control))) {
            if (p.getValue() <= 0) {
                continue;
            }
            String other = byPort.putIfAbsent(p.getValue(), p.getKey());
            if (other != null) {
                problems.add("--" + p.getKey() + " " + p.getValue() + " is also --" + other + " (expected: distinct ports)");
            } else if (address != null && !help) {
                String busy = inUse(address, p.getValue());
                if (busy != null) {
                    problems.add("--" + p.getKey() + " " + p.getValue() + " is in use on " + host + " (" + busy
                            + "); stop what listens there or pick another port, e.g. --" + p.getKey() + "=0");
                }
            }
        }
        Path dataDir = Path.of(setting.apply("data-dir")).toAbsolutePath().normalize();
        if (!help) {
            checkDataDir(dataDir, problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the demo cannot start, " + problems.size() + " setting"
                    + (problems.size() == 1 ? "" : "s") + " to fix:\n  - " + String.join("\n  - ", problems)
                    + "\n(run with --help for every flag)");
        }
        return new DemoOptions(host, gateway, credits, upstream, control, dataDir, verbose, help);
    }

    private static boolean bool(String name, String v, List<String> problems) {
        if (v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0") || v.isEmpty()) {
            return false;
        }
        problems.add("--" + name + " \"" + v + "\" (expected: true or false)");
        return false;
    }

    private static int port(String name, String v, List<String> problems) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add("--" + name + " \"" + v + "\" is not a port (expected: 0..65535, 0 = random)");
        return -1;
    }

    /** Null when the port can be bound, else why not. */
    private static String inUse(InetAddress address, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the servers do: a port in TIME_WAIT is free
            s.bind(new InetSocketAddress(address, port));
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static void checkDataDir(Path dir, List<String> problems) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            problems.add("--data-dir " + dir + " cannot be created (" + e + ")");
            return;
        }
        if (!Files.isWritable(dir)) {
            problems.add("--data-dir " + dir + " is not writable");
            return;
        }
        boolean databases = Files.exists(dir.resolve("gateway.mv.db")) || Files.exists(dir.resolve("credits.mv.db"));
        if (databases && !DemoState.exists(dir)) {
            problems.add("--data-dir " + dir + " holds databases but no " + DemoState.FILE
                    + " (the secrets and ids of the demo that made them); delete the directory to start afresh");
        }
    }
}
