package dev.creditgate.testkit;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link MockUpstream} until killed.
 *
 * <pre>
 * java -cp testkit/target/testkit-*.jar dev.creditgate.testkit.MockUpstreamMain --port 8090 \
 *     [--host 127.0.0.1] [--delay-ms N] [--chunk-delay-ms N] [--api-key K] [--text T] [--chunks N]
 *     [--usage PROMPT,COMPLETION] [--record N]
 *     [--answer-at-output-limit true|false] [--default-output-limit N] [--exceed-output-limit N]
 * </pre>
 * Prints one line {@code mock upstream listening on http://HOST:PORT} once it accepts connections.
 */
public final class MockUpstreamMain {

    private MockUpstreamMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8090;
        String host = "127.0.0.1";
        Fault fault = Fault.NONE;
        String apiKey = null;
        String text = null;
        int chunks = -1;
        long prompt = -1;
        long completion = -1;
        int record = 1000;
        OutputLimit outputLimit = OutputLimit.DEFAULTS;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                usage(null);
                return;
            }
            if (i + 1 >= args.length) {
                usage("missing value for " + arg);
            }
            String value = args[++i];
            try {
                switch (arg) {
                    case "--port" -> port = Integer.parseInt(value);
                    case "--host" -> host = value;
                    case "--delay-ms" -> fault = fault.withDelay(Duration.ofMillis(Long.parseLong(value)));
                    case "--chunk-delay-ms" -> fault = fault.withChunkDelay(Duration.ofMillis(Long.parseLong(value)));
                    case "--api-key" -> apiKey = value;
                    case "--text" -> text = value;
                    case "--chunks" -> chunks = Integer.parseInt(value);
                    case "--usage" -> {
                        String[] parts = value.split(",");
                        if (parts.length != 2) {
                            usage("--usage: " + value + " (expected: PROMPT,COMPLETION)");
                        }
                        prompt = Long.parseLong(parts[0].strip());
                        completion = Long.parseLong(parts[1].strip());
                    }
                    case "--record" -> record = Integer.parseInt(value);
                    case "--answer-at-output-limit" -> {
                        if (!value.equals("true") && !value.equals("false")) {
                            usage(arg + ": " + value + " (expected: true or false)");
                        }
                        outputLimit = outputLimit.withAnswerAtLimit(Boolean.parseBoolean(value));
                    }
                    case "--default-output-limit" -> outputLimit = outputLimit.withDefaultLimit(Long.parseLong(value));
                    case "--exceed-output-limit" -> outputLimit = outputLimit.withExceedBy(Long.parseLong(value));
                    default -> usage("unknown option " + arg);
                }
            } catch (NumberFormatException e) {
                usage(arg + ": " + value + " (expected: a number)");
            } catch (IllegalArgumentException e) {
                usage(e.getMessage());
            }
        }
        MockUpstream mock;
        try {
            mock = MockUpstream.start(InetAddress.getByName(host), port);
            mock.fault(fault).apiKey(apiKey).recordLimit(record).usage(prompt, completion);
            OutputLimit limit = outputLimit;
            mock.updateOutputLimit(o -> limit);
            if (text != null) {
                mock.reply(text);
            }
            if (chunks != -1) {
                mock.chunks(chunks);
            }
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            return;
        }
        mock.keepAsBaseline();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mock.close();
            stopped.countDown();
        }, "mock-upstream-shutdown"));
        System.out.println("mock upstream listening on " + mock.baseUrl()
                + " (OpenAI base URL " + mock.baseUrl() + "/v1; control: " + mock.baseUrl() + "/_mock/stats)");
        System.out.flush();
        stopped.await();
    }

    private static void usage(String error) {
        String text = """
                usage: MockUpstreamMain [--port 8090] [--host 127.0.0.1] [--delay-ms N] [--chunk-delay-ms N]
                                        [--api-key K] [--text "reply words"] [--chunks N]
                                        [--usage PROMPT,COMPLETION] [--record N]
                                        [--answer-at-output-limit true|false] [--default-output-limit N]
                                        [--exceed-output-limit N]
                control: GET /_mock/stats, GET|POST /_mock/config, POST /_mock/reset, GET /_mock/requests""";
        if (error == null) {
            System.out.println(text);
            return;
        }
        System.err.println("error: " + error);
        System.err.println(text);
        System.exit(2);
    }
}
