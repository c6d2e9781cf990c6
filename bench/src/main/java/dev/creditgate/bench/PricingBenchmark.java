package dev.creditgate.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.creditgate.gateway.pricing.Estimate;
import dev.creditgate.gateway.pricing.Pricer;
import dev.creditgate.gateway.pricing.TokenCounter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pieces of the gateway's request path that run for every relayed chat completion before the upstream is
 * called: parse the body, count the prompt tokens ({@link TokenCounter#countChatCompletion}), estimate the cost
 * ({@link Pricer#estimate}). Bodies: the harness's small request (one short message, as {@code run.sh} sends) and a
 * medium conversation (system prompt + 10 turns, ~2 KB), which is closer to what coding agents send per turn.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class PricingBenchmark {

    static final String MODEL = "gpt-4o-mini";
    static final String GROUP = "default";

    static final String SMALL = """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}""";

    static final String MEDIUM = medium();

    private final JsonMapper json = JsonMapper.builder().build();
    private final TokenCounter counter = TokenCounter.shared();
    private final Pricer pricer = Pricer.defaults();

    private byte[] smallBytes;
    private byte[] mediumBytes;
    private JsonNode small;
    private JsonNode medium;

    @Setup
    public void setup() {
        smallBytes = SMALL.getBytes(StandardCharsets.UTF_8);
        mediumBytes = MEDIUM.getBytes(StandardCharsets.UTF_8);
        small = json.readTree(smallBytes);
        medium = json.readTree(mediumBytes);
        // fail fast on a broken setup rather than measuring an error path
        if (counter.countChatCompletion(MODEL, small) <= 0 || !pricer.estimate(MODEL, GROUP, 10, 16).isPriced()) {
            throw new IllegalStateException("pricing setup: model " + MODEL + " is not priced by the defaults");
        }
    }

    @Benchmark
    public int countSmall() {
        return counter.countChatCompletion(MODEL, small);
    }

    @Benchmark
    public int countMedium() {
        return counter.countChatCompletion(MODEL, medium);
    }

    @Benchmark
    public Estimate estimate() {
        return pricer.estimate(MODEL, GROUP, 42, 16);
    }

    /** Parsing alone, to tell its share from the counting's. */
    @Benchmark
    public JsonNode parseSmall() {
        return json.readTree(smallBytes);
    }

    @Benchmark
    public JsonNode parseMedium() {
        return json.readTree(mediumBytes);
    }

    /** What the relay does per small request: parse, count, estimate. */
    @Benchmark
    public Estimate parseCountEstimateSmall() {
        JsonNode body = json.readTree(smallBytes);
        return pricer.estimate(MODEL, GROUP, counter.countChatCompletion(MODEL, body), 16);
    }

    /** The same for the medium conversation. */
    @Benchmark
    public Estimate parseCountEstimateMedium() {
        JsonNode body = json.readTree(mediumBytes);
        return pricer.estimate(MODEL, GROUP, counter.countChatCompletion(MODEL, body), 1024);
    }

    private static String medium() {
        StringBuilder sb = new StringBuilder("{\"model\":\"gpt-4o-mini\",\"max_tokens\":1024,\"messages\":[")
                .append("{\"role\":\"system\",\"content\":\"You are a careful senior engineer. Answer briefly, show code")
                .append(" when it helps, and say when you are not sure.\"}");
        for (int i = 0; i < 10; i++) {
            sb.append(",{\"role\":\"user\",\"content\":\"Turn ").append(i)
                    .append(": why does the build fail with 'cannot find symbol' after I moved the class to another")
                    .append(" package? The import looks right and the IDE shows no error.\"}")
                    .append(",{\"role\":\"assistant\",\"content\":\"Probably a stale build output: run a clean build,")
                    .append(" then check that the package declaration matches the folder (")
                    .append(i).append(").\"}");
        }
        return sb.append("]}").toString();
    }
}
