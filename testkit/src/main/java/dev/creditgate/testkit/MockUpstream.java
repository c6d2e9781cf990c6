package dev.creditgate.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A fake upstream LLM provider speaking the OpenAI (chat completions, responses, embeddings, models)
 * and Anthropic (messages) wire formats, with deterministic replies and fault injection.
 *
 * <pre>{@code
 * try (MockUpstream mock = MockUpstream.start()) {
 *     mock.usage(12, 5).chunkDelay(Duration.ofMillis(10));
 *     mock.failNext(1, 503);
 *     // point the code under test at mock.baseUrl() (no /v1), then assert:
 *     mock.awaitCalls(2, Duration.ofSeconds(5));
 *     assertThat(mock.lastRequest().header("authorization")).isEqualTo("Bearer sk-test");
 * }
 * }</pre>
 *
 * <p>Replies: the reply is a list of content chunks, by default the words of
 * {@value #DEFAULT_TEXT} (5 chunks: {@code "Hello"}, {@code " from"}, ...). A request's
 * {@code max_tokens}/{@code max_completion_tokens}/{@code max_output_tokens} caps the number of chunks
 * (the reply is then marked truncated: {@code length}/{@code max_tokens}/{@code incomplete}).
 * Usage, unless fixed with {@link #usage(long, long)}: completion tokens = the number of chunks sent;
 * prompt tokens = {@link #promptTokensFor(String)}.
 *
 * <p>Thread-safe. Every setter returns {@code this}. {@link #reset()} restores the startup settings.
 */
public final class MockUpstream implements AutoCloseable {

    /** The default reply text. */
    public static final String DEFAULT_TEXT = "Hello from the mock upstream.";
    /** The models {@code GET /v1/models} lists by default. */
    public static final List<String> DEFAULT_MODELS =
            List.of("gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "claude-sonnet-4-5");

    static final String GARBAGE = "<html><body>502 Bad Gateway</body></html> this is not json {";

    static {
        // The JDK server's defaults hurt a load generator: Nagle on (small SSE writes wait for ACKs)
        // and at most 200 idle keep-alive connections. Read once per JVM, so set before first use.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "100000");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Knobs that shape replies (faults are kept apart). */
    record Settings(List<String> baseChunks, int chunkCount, long promptTokens, long completionTokens,
                    String apiKey, List<String> models, int embeddingDimensions, int recordLimit) {
        static final Settings DEFAULTS =
                new Settings(words(DEFAULT_TEXT), -1, -1, -1, null, DEFAULT_MODELS, 16, 1000);

        /** The full reply, as content chunks. */
        List<String> replyChunks() {
            if (chunkCount < 0) {
                return baseChunks;
            }
            List<String> chunks = new ArrayList<>(chunkCount);
            for (int i = 0; i < chunkCount; i++) {
                String chunk = baseChunks.get(i % baseChunks.size());
                if (i > 0 && i % baseChunks.size() == 0 && !chunk.isEmpty() && !Character.isWhitespace(chunk.charAt(0))) {
                    chunk = " " + chunk;
                }
                chunks.add(chunk);
            }
            return List.copyOf(chunks);
        }
    }

    /** Counters, as one snapshot. */
    public record Stats(long calls, Map<String, Long> callsByPath, long streamsStarted, long streamsCompleted,
                        long streamsAbortedByClient, long streamsCut, int activeStreams) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;

    private volatile Settings baseline = Settings.DEFAULTS;
    private volatile Fault baselineFault = Fault.NONE;
    private volatile Settings settings = Settings.DEFAULTS;
    private volatile List<String> replyChunks = Settings.DEFAULTS.replyChunks();
    private volatile Fault fault = Fault.NONE;
    private volatile OutputLimit outputLimit = OutputLimit.DEFAULTS;
    private volatile OutputLimit baselineOutputLimit = OutputLimit.DEFAULTS;
    private volatile Call.Cache cache = Call.Cache.NONE;
    private volatile ToolCall toolCall;
    private volatile long thoughts;
    private final ConcurrentLinkedQueue<Fault> nextFaults = new ConcurrentLinkedQueue<>();

    private final LongAdder calls = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> callsByPath = new ConcurrentHashMap<>();
    private final LongAdder streamsStarted = new LongAdder();
    private final LongAdder streamsCompleted = new LongAdder();
    private final LongAdder streamsAbortedByClient = new LongAdder();
    private final LongAdder streamsCut = new LongAdder();
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final ArrayDeque<RecordedRequest> recorded = new ArrayDeque<>();

    private MockUpstream(InetAddress address, int port) throws IOException {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(new InetSocketAddress(address, port), 4096);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        baseUrl = "http://" + host + ":" + server.getAddress().getPort();
    }

    /** Starts on a random free port on the loopback interface. */
    public static MockUpstream start() {
        return start(0);
    }

    /** Starts on {@code port} (0: random) on the loopback interface. */
    public static MockUpstream start(int port) {
        return start(InetAddress.getLoopbackAddress(), port);
    }

    /** Starts on {@code address:port} (0: random). */
    public static MockUpstream start(InetAddress address, int port) {
        try {
            return new MockUpstream(address, port);
        } catch (IOException e) {
            throw new UncheckedIOException("mock upstream could not listen on " + address + ":" + port, e);
        }
    }

    /** E.g. {@code http://127.0.0.1:41234}, without {@code /v1}. */
    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops listening, closes every connection (streams in progress are cut) and ends its threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- reply settings ------------------------------------------------------------------

    /** The reply text; each whitespace-separated word becomes one chunk (with its leading space). */
    public MockUpstream reply(String text) {
        Objects.requireNonNull(text, "text");
        List<String> words = words(text);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("reply text: \"" + text + "\" (expected: at least one word)");
        }
        return update(s -> new Settings(words, s.chunkCount, s.promptTokens, s.completionTokens, s.apiKey,
                s.models, s.embeddingDimensions, s.recordLimit));
    }

    /** The reply as exact chunks, sent verbatim. */
    public MockUpstream replyChunks(List<String> chunks) {
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("reply chunks: [] (expected: at least one)");
        }
        List<String> copy = List.copyOf(chunks);
        return update(s -> new Settings(copy, s.chunkCount, s.promptTokens, s.completionTokens, s.apiKey,
                s.models, s.embeddingDimensions, s.recordLimit));
    }

    /** Send exactly {@code count} content chunks, cycling through the reply's words; -1: one per word. */
    public MockUpstream chunks(int count) {
        if (count < -1 || count == 0) {
            throw new IllegalArgumentException("chunks: " + count + " (expected: >= 1, or -1 for one per word)");
        }
        return update(s -> new Settings(s.baseChunks, count, s.promptTokens, s.completionTokens, s.apiKey,
                s.models, s.embeddingDimensions, s.recordLimit));
    }

    /** Report exactly these token counts (a negative value: use the rule for that one). */
    public MockUpstream usage(long promptTokens, long completionTokens) {
        return update(s -> new Settings(s.baseChunks, s.chunkCount, Math.max(-1, promptTokens),
                Math.max(-1, completionTokens), s.apiKey, s.models, s.embeddingDimensions, s.recordLimit));
    }

    /**
     * Report these cache tokens as part of every answer's prompt tokens (which are raised to at least their sum), in
     * each API's shape: Anthropic {@code input_tokens} (the uncached rest), {@code cache_read_input_tokens},
     * {@code cache_creation_input_tokens} (write + write1h) and {@code cache_creation.ephemeral_5m/1h_input_tokens};
     * OpenAI {@code prompt_tokens_details.cached_tokens} / {@code input_tokens_details.cached_tokens} (= read).
     * All zero: no cache (the default).
     */
    public MockUpstream cacheTokens(long read, long write, long write1h) {
        if (read < 0 || write < 0 || write1h < 0) {
            throw new IllegalArgumentException("cacheTokens: " + read + "/" + write + "/" + write1h
                    + " (expected: >= 0)");
        }
        cache = new Call.Cache(read, write, write1h);
        return this;
    }

    /**
     * Answer chat and messages requests that offer tools (and whose last message is not a tool result) with the reply
     * text and then one call of {@code name} with {@code argumentsJson} (a JSON object), finishing with
     * {@code tool_calls} / {@code tool_use}; streams send the arguments in two deltas. Null name: no tool calls (the
     * default; {@link #reset()} too).
     */
    public MockUpstream toolCall(String name, String argumentsJson) {
        toolCall = name == null ? null : new ToolCall(name, argumentsJson, Call.randomId("", 24, false));
        return this;
    }

    /**
     * Report this many thinking tokens in every Gemini answer's {@code thoughtsTokenCount} (not part of
     * {@code candidatesTokenCount}; the total has them); 0 (the default): none.
     */
    public MockUpstream thoughtsTokens(long tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("thoughtsTokens: " + tokens + " (expected: >= 0)");
        }
        thoughts = tokens;
        return this;
    }

    /**
     * Require this key ({@code Authorization: Bearer K}, {@code x-api-key: K}, Gemini's {@code x-goog-api-key: K} or
     * {@code ?key=K}, Azure's {@code api-key: K}); null: accept any.
     */
    public MockUpstream apiKey(String expectedKey) {
        return update(s -> new Settings(s.baseChunks, s.chunkCount, s.promptTokens, s.completionTokens,
                expectedKey, s.models, s.embeddingDimensions, s.recordLimit));
    }

    /** The model ids {@code GET /v1/models} lists. */
    public MockUpstream models(String... ids) {
        List<String> list = List.of(ids);
        return update(s -> new Settings(s.baseChunks, s.chunkCount, s.promptTokens, s.completionTokens,
                s.apiKey, list, s.embeddingDimensions, s.recordLimit));
    }

    /** Embedding length when the request does not ask for {@code dimensions} (default 16). */
    public MockUpstream embeddingDimensions(int dimensions) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("embeddingDimensions: " + dimensions + " (expected: >= 1)");
        }
        return update(s -> new Settings(s.baseChunks, s.chunkCount, s.promptTokens, s.completionTokens,
                s.apiKey, s.models, dimensions, s.recordLimit));
    }

    /** How many of the latest requests {@link #requests()} keeps (default 1000; 0: record none). */
    public MockUpstream recordLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("recordLimit: " + limit + " (expected: >= 0)");
        }
        update(s -> new Settings(s.baseChunks, s.chunkCount, s.promptTokens, s.completionTokens,
                s.apiKey, s.models, s.embeddingDimensions, limit));
        synchronized (recorded) {
            while (recorded.size() > limit) {
                recorded.removeFirst();
            }
        }
        return this;
    }

    /** The chunks a full (uncapped) reply consists of. */
    public List<String> replyChunks() {
        return replyChunks;
    }

    /** The full (uncapped) reply text. */
    public String replyText() {
        return String.join("", replyChunks);
    }

    /**
     * On: every chat / responses / messages answer (stream or not) writes exactly the request's output limit
     * ({@code max_completion_tokens}/{@code max_tokens}, {@code max_output_tokens}, {@code max_tokens}), or
     * {@link #defaultOutputLimit(long)} when it names none, as completion/output tokens: usage reports that many
     * (whatever {@link #usage} says for completion tokens), the text is that many words, the reply ends as
     * truncated. An answer above 1,000,000 tokens is refused with 400. Off (default): the limit caps
     * the reply's chunks.
     */
    public MockUpstream answerAtOutputLimit(boolean on) {
        return updateOutputLimit(o -> o.withAnswerAtLimit(on));
    }

    /** The output limit assumed by {@link #answerAtOutputLimit} when a request names none (default 4096). */
    public MockUpstream defaultOutputLimit(long tokens) {
        return updateOutputLimit(o -> o.withDefaultLimit(tokens));
    }

    /**
     * An upstream that ignores the output limit: every chat / responses / messages answer writes the limit (or
     * the default one) plus {@code extraTokens}, as {@link #answerAtOutputLimit} does but more; 0 (default) honours it.
     */
    public MockUpstream exceedOutputLimit(long extraTokens) {
        return updateOutputLimit(o -> o.withExceedBy(extraTokens));
    }

    /** Output tokens per content chunk while {@link #answerAtOutputLimit} is on (default 1: one chunk per token). */
    public MockUpstream outputTokensPerChunk(int tokens) {
        return updateOutputLimit(o -> o.withTokensPerChunk(tokens));
    }

    OutputLimit outputLimit() {
        return outputLimit;
    }

    synchronized MockUpstream updateOutputLimit(UnaryOperator<OutputLimit> change) {
        outputLimit = change.apply(outputLimit);
        return this;
    }

    private synchronized MockUpstream update(UnaryOperator<Settings> change) {
        Settings next = change.apply(settings);
        replyChunks = next.replyChunks();
        settings = next;
        return this;
    }

    // ---- faults ----------------------------------------------------------------------------

    /** The fault applied to every call (unless a queued one takes precedence). */
    public Fault fault() {
        return fault;
    }

    /** Applies {@code fault} to every call from now on ({@link Fault#NONE} to heal). */
    public MockUpstream fault(Fault fault) {
        this.fault = Objects.requireNonNull(fault, "fault");
        return this;
    }

    /** The next {@code calls} calls get {@code fault} instead of the all-calls fault (queued after earlier ones). */
    public MockUpstream faultNext(int calls, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (calls < 1) {
            throw new IllegalArgumentException("calls: " + calls + " (expected: >= 1)");
        }
        for (int i = 0; i < calls; i++) {
            nextFaults.add(fault);
        }
        return this;
    }

    /** Shortcut: every call waits {@code delay} before answering. */
    public MockUpstream delay(Duration delay) {
        return fault(fault.withDelay(delay));
    }

    /** Shortcut: every stream waits {@code delay} before each content chunk. */
    public MockUpstream chunkDelay(Duration delay) {
        return fault(fault.withChunkDelay(delay));
    }

    /** Shortcut: every call fails with {@code status} and the API's error body. */
    public MockUpstream failWith(int status) {
        return fault(fault.withStatus(status));
    }

    /** Shortcut: the next {@code calls} calls fail with {@code status} and the API's error body. */
    public MockUpstream failNext(int calls, int status) {
        return faultNext(calls, Fault.NONE.withStatus(status));
    }

    /** Drops queued faults and sets the all-calls fault back to the startup one. */
    public MockUpstream clearFaults() {
        nextFaults.clear();
        fault = baselineFault;
        return this;
    }

    /** Number of queued one-call faults not yet used. */
    public int queuedFaults() {
        return nextFaults.size();
    }

    private Fault takeFault() {
        Fault next = nextFaults.poll();
        return next != null ? next : fault;
    }

    // ---- reset -----------------------------------------------------------------------------

    /** Restores the startup settings and fault, drops queued faults, zeroes counters, forgets requests. */
    public MockUpstream reset() {
        synchronized (this) {
            settings = baseline;
            replyChunks = baseline.replyChunks();
            outputLimit = baselineOutputLimit;
        }
        cache = Call.Cache.NONE;
        toolCall = null;
        thoughts = 0;
        clearFaults();
        return resetStats();
    }

    /** Zeroes counters and forgets recorded requests; settings and faults stay. */
    public MockUpstream resetStats() {
        calls.reset();
        callsByPath.clear();
        streamsStarted.reset();
        streamsCompleted.reset();
        streamsAbortedByClient.reset();
        streamsCut.reset();
        synchronized (recorded) {
            recorded.clear();
        }
        return this;
    }

    /** Makes the current settings and all-calls fault what {@link #reset()} returns to (used by the CLI). */
    MockUpstream keepAsBaseline() {
        baseline = settings;
        baselineFault = fault;
        baselineOutputLimit = outputLimit;
        return this;
    }

    // ---- observation -----------------------------------------------------------------------

    /** Calls to the API (every path except {@code /_mock/...}), including failed and unauthorized ones. */
    public long calls() {
        return calls.sum();
    }

    public long calls(String path) {
        LongAdder adder = callsByPath.get(path);
        return adder == null ? 0 : adder.sum();
    }

    public long streamsStarted() {
        return streamsStarted.sum();
    }

    /** Streams written to the end. */
    public long streamsCompleted() {
        return streamsCompleted.sum();
    }

    /** Streams that ended because a write failed: the client (e.g. a gateway) closed the connection. */
    public long streamsAbortedByClient() {
        return streamsAbortedByClient.sum();
    }

    /** Streams cut on purpose by {@link Fault#cutAfterChunks()} or {@link Fault#cutAtStart()}. */
    public long streamsCut() {
        return streamsCut.sum();
    }

    /** Streams being written right now. */
    public int activeStreams() {
        return activeStreams.get();
    }

    public Stats stats() {
        Map<String, Long> byPath = new TreeMap<>();
        callsByPath.forEach((path, adder) -> byPath.put(path, adder.sum()));
        return new Stats(calls(), Collections.unmodifiableMap(byPath), streamsStarted(), streamsCompleted(),
                streamsAbortedByClient(), streamsCut(), activeStreams());
    }

    /** The latest recorded requests, oldest first (at most {@link #recordLimit(int)}). */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** The latest recorded request; fails when none was recorded. */
    public RecordedRequest lastRequest() {
        synchronized (recorded) {
            if (recorded.isEmpty()) {
                throw new AssertionError("the mock upstream has recorded no request");
            }
            return recorded.getLast();
        }
    }

    /** Waits until at least {@code n} calls arrived; fails with the count seen after {@code timeout}. */
    public MockUpstream awaitCalls(long n, Duration timeout) {
        return await("calls", this::calls, n, timeout);
    }

    public MockUpstream awaitCalls(String path, long n, Duration timeout) {
        return await("calls to " + path, () -> calls(path), n, timeout);
    }

    public MockUpstream awaitStreamsAbortedByClient(long n, Duration timeout) {
        return await("streams aborted by the client", this::streamsAbortedByClient, n, timeout);
    }

    public MockUpstream awaitStreamsCompleted(long n, Duration timeout) {
        return await("completed streams", this::streamsCompleted, n, timeout);
    }

    /** Waits until no stream is being written. */
    public MockUpstream awaitNoActiveStreams(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (activeStreams() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected no active stream within " + timeout + ", saw " + activeStreams());
            }
            LockSupport.parkNanos(1_000_000);
        }
        return this;
    }

    private MockUpstream await(String what, LongSupplier value, long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (value.getAsLong() < n) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected at least " + n + " " + what + " within " + timeout
                        + ", saw " + value.getAsLong());
            }
            LockSupport.parkNanos(1_000_000);
        }
        return this;
    }

    // ---- token rule ------------------------------------------------------------------------

    /**
     * The prompt tokens the mock reports for a request body, unless fixed with {@link #usage}:
     * {@code max(1, ceil(chars / 4))}, where {@code chars} counts the characters of the prompt text
     * found under {@code system}, {@code instructions}, {@code messages} and {@code input}: strings,
     * and inside arrays/objects the {@code text} or else {@code content} members; every number
     * (a token id in an embeddings input) counts 4 characters.
     */
    public static long promptTokensFor(String requestJson) {
        return promptTokens(Json.MAPPER.readTree(requestJson));
    }

    static long promptTokens(JsonNode request) {
        long chars = 0;
        for (String key : new String[] {"system", "instructions", "messages", "input", "systemInstruction", "contents"}) {
            chars += promptChars(request.get(key));
        }
        return Math.max(1, (chars + 3) / 4);
    }

    private static long promptChars(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return 0;
        }
        if (node.isString()) {
            return node.stringValue().length();
        }
        if (node.isNumber()) {
            return 4;
        }
        if (node.isArray()) {
            long sum = 0;
            for (JsonNode element : node) {
                sum += promptChars(element);
            }
            return sum;
        }
        if (node.isObject()) {
            JsonNode text = node.get("text");
            if (text != null) {
                return promptChars(text);
            }
            JsonNode parts = node.get("parts"); // Gemini: {role, parts: [{text}]}
            return parts != null ? promptChars(parts) : promptChars(node.get("content"));
        }
        return 0;
    }

    static List<String> words(String text) {
        String stripped = text.strip();
        if (stripped.isEmpty()) {
            return List.of();
        }
        String[] words = stripped.split("\\s+");
        List<String> chunks = new ArrayList<>(words.length);
        for (int i = 0; i < words.length; i++) {
            chunks.add(i == 0 ? words[i] : " " + words[i]);
        }
        return List.copyOf(chunks);
    }

    // ---- HTTP ------------------------------------------------------------------------------

    private enum Api { OPENAI, ANTHROPIC, GEMINI }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        byte[] body = ex.getRequestBody().readAllBytes();
        if (path.startsWith("/_mock/")) {
            MockControl.handle(this, ex, path, body);
            return;
        }
        Settings s = settings;
        record(ex, path, body, s.recordLimit);
        calls.increment();
        callsByPath.computeIfAbsent(path, k -> new LongAdder()).increment();

        Headers headers = ex.getRequestHeaders();
        String method = ex.getRequestMethod();
        String query = ex.getRequestURI().getRawQuery();
        boolean anthropic = path.startsWith("/v1/messages")
                || (path.equals("/v1/models") && headers.containsKey("anthropic-version"));
        GeminiWire.Target gemini = method.equals("POST") ? GeminiWire.target(path) : null;
        AzureTarget azure = AzureTarget.of(path);
        Api api = gemini != null || path.startsWith("/v1beta/") ? Api.GEMINI
                : anthropic ? Api.ANTHROPIC : Api.OPENAI;

        if (s.apiKey != null && !authorized(headers, query, s.apiKey)) {
            unauthorized(ex, api, headers);
            return;
        }
        Fault f = takeFault();
        if (f.delay().isPositive()) {
            try {
                Thread.sleep(f.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("mock upstream closing", e);
            }
        }
        if (f.status() != 0) {
            sendJson(ex, f.status(), switch (api) {
                case ANTHROPIC -> AnthropicWire.error(f.status(), f.message());
                case GEMINI -> GeminiWire.error(f.status(), f.message());
                case OPENAI -> OpenAiWire.error(f.status(), f.message());
            });
            return;
        }
        if (method.equals("GET") && path.equals("/v1beta/models")) {
            sendJson(ex, 200, GeminiWire.models(s.models));
            return;
        }
        if (azure != null && queryParameter(query, "api-version") == null) {
            badRequest(ex, api, "Missing required query parameter: api-version");
            return;
        }
        if (method.equals("GET") && path.equals("/v1/models")) {
            if (f.garbage()) {
                send(ex, 200, "application/json", GARBAGE);
            } else {
                sendJson(ex, 200, anthropic ? AnthropicWire.models(s.models) : OpenAiWire.models(s.models));
            }
            return;
        }
        Route route = !method.equals("POST") ? null : gemini != null ? Route.GEMINI
                : Route.of(azure != null ? azure.openAiPath() : path);
        if (route == null) {
            String message = "Invalid URL (" + method + " " + path + ")";
            sendJson(ex, 404, switch (api) {
                case ANTHROPIC -> AnthropicWire.error("not_found_error", message);
                case GEMINI -> GeminiWire.error(404, message);
                case OPENAI -> OpenAiWire.error(message, "invalid_request_error", null);
            });
            return;
        }
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            request = null;
        }
        if (request == null || !request.isObject()) {
            badRequest(ex, api, "We could not parse the JSON body of your request.");
            return;
        }
        String model = gemini != null ? gemini.model() : azure != null ? azure.deployment()
                : Json.text(request.get("model"));
        if (gemini != null && !(request.get("contents") instanceof tools.jackson.databind.node.ArrayNode contents
                && !contents.isEmpty())) {
            badRequest(ex, api, "* GenerateContentRequest.contents: contents is not specified");
            return;
        }
        if (model == null || model.isEmpty()) {
            badRequest(ex, api, api == Api.ANTHROPIC ? "model: Field required" : "you must provide a model parameter");
            return;
        }
        if (route == Route.MESSAGES && !request.path("max_tokens").isIntegralNumber()) {
            badRequest(ex, api, "max_tokens: Field required");
            return;
        }
        long fillTokens = fillTokens(route, outputLimitOf(route, request), outputLimit);
        if (fillTokens > OutputLimit.MAX_TOKENS) {
            badRequest(ex, api, "output limit too large: the answer would have " + fillTokens
                    + " tokens (expected: <= " + OutputLimit.MAX_TOKENS + ")");
            return;
        }
        boolean stream = gemini != null ? gemini.stream() && "sse".equals(queryParameter(query, "alt"))
                : Json.bool(request.get("stream"), false) && route != Route.EMBEDDINGS && route != Route.COUNT_TOKENS;
        if (f.garbage()) {
            if (stream) {
                send(ex, 200, "text/event-stream; charset=utf-8", "data: " + GARBAGE + "\n\n");
            } else {
                send(ex, 200, "application/json", GARBAGE);
            }
            return;
        }
        Call call = call(route, model, request, s, f);
        ToolCall tool = toolCall != null && toolCall.appliesTo(request) ? toolCall : null;
        switch (route) {
            case CHAT -> {
                if (stream) {
                    boolean includeUsage = Json.bool(request.path("stream_options").get("include_usage"), false);
                    stream(ex, f, sse -> OpenAiWire.chatStream(call, sse, includeUsage, tool));
                } else {
                    sendJson(ex, 200, OpenAiWire.chatCompletion(call, tool));
                }
            }
            case RESPONSES -> {
                if (stream) {
                    stream(ex, f, sse -> OpenAiWire.responseStream(call, sse));
                } else {
                    sendJson(ex, 200, OpenAiWire.response(call));
                }
            }
            case MESSAGES -> {
                if (stream) {
                    stream(ex, f, sse -> AnthropicWire.messageStream(call, sse, tool));
                } else {
                    sendJson(ex, 200, AnthropicWire.message(call, tool));
                }
            }
            case COUNT_TOKENS -> sendJson(ex, 200, AnthropicWire.countTokens(call.promptTokens()));
            case GEMINI -> {
                long t = thoughts;
                if (stream) {
                    stream(ex, f, sse -> GeminiWire.stream(call, sse, t));
                } else {
                    sendJson(ex, 200, gemini.stream() ? GeminiWire.array(call, t) : GeminiWire.response(call, t));
                }
            }
            case EMBEDDINGS -> {
                List<String> inputs = OpenAiWire.embeddingInputs(request.get("input"));
                long dims = Json.number(request.get("dimensions"), s.embeddingDimensions);
                if (inputs.isEmpty() || dims < 1 || dims > 8192) {
                    badRequest(ex, api, inputs.isEmpty() ? "'input' : input cannot be empty"
                            : "dimensions: " + dims + " (expected: 1..8192)");
                    return;
                }
                boolean base64 = "base64".equals(Json.text(request.get("encoding_format")));
                sendJson(ex, 200, OpenAiWire.embeddings(call, inputs, (int) dims, base64));
            }
        }
    }

    private enum Route {
        CHAT, RESPONSES, EMBEDDINGS, MESSAGES, COUNT_TOKENS, GEMINI;

        static Route of(String path) {
            return switch (path) {
                case "/v1/chat/completions" -> CHAT;
                case "/v1/responses" -> RESPONSES;
                case "/v1/embeddings" -> EMBEDDINGS;
                case "/v1/messages" -> MESSAGES;
                case "/v1/messages/count_tokens" -> COUNT_TOKENS;
                default -> null;
            };
        }
    }

    /** The request's output limit; -1 when it names none or the route has none. */
    private static long outputLimitOf(Route route, JsonNode request) {
        return switch (route) {
            case CHAT -> Json.number(request.get("max_completion_tokens"), Json.number(request.get("max_tokens"), -1));
            case RESPONSES -> Json.number(request.get("max_output_tokens"), -1);
            case MESSAGES -> Json.number(request.get("max_tokens"), -1);
            case GEMINI -> Json.number(request.path("generationConfig").get("maxOutputTokens"), -1);
            default -> -1;
        };
    }

    /** Output tokens an answer writes by {@link #answerAtOutputLimit}; -1 when that mode is off or not for this route. */
    private static long fillTokens(Route route, long requestLimit, OutputLimit o) {
        return route == Route.CHAT || route == Route.RESPONSES || route == Route.MESSAGES || route == Route.GEMINI
                ? o.tokensFor(requestLimit) : -1;
    }

    private Call call(Route route, String model, JsonNode request, Settings s, Fault f) {
        List<String> chunks = replyChunks;
        long cap = outputLimitOf(route, request);
        boolean truncated = cap >= 1 && cap < chunks.size();
        if (truncated) {
            chunks = chunks.subList(0, (int) cap);
        }
        Call.Cache c = cache;
        long prompt = Math.max(c.total(), s.promptTokens >= 0 ? s.promptTokens : promptTokens(request));
        long completion = s.completionTokens >= 0 ? s.completionTokens : chunks.size();
        OutputLimit fill = outputLimit;
        long fillTokens = fillTokens(route, cap, fill);
        if (fillTokens >= 1) {
            chunks = fill.chunks(fillTokens);
            truncated = true;
            completion = fillTokens;
        }
        return new Call(model, chunks, truncated, prompt, completion, f.omitUsage(), request,
                System.currentTimeMillis() / 1000, c);
    }

    private void stream(HttpExchange ex, Fault f, java.util.function.Consumer<Sse> writer) throws IOException {
        streamsStarted.increment();
        activeStreams.incrementAndGet();
        boolean written = false;
        try {
            Headers out = ex.getResponseHeaders();
            out.set("Content-Type", "text/event-stream; charset=utf-8");
            out.set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream body = ex.getResponseBody();
            if (f.cutAtStart()) {
                body.flush(); // the headers reach the client, no event does
                throw new Sse.Cut();
            }
            writer.accept(new Sse(body, f));
            // counted before close(): the client may read the stream's end before close() returns here
            written = true;
            streamsCompleted.increment();
            body.close();
        } catch (Sse.ClientGone e) {
            streamsAbortedByClient.increment();
            throw e;
        } catch (IOException e) {
            if (!written) { // a failure of the last close() after every event was written is not an abort
                streamsAbortedByClient.increment();
            }
            throw e;
        } catch (Sse.Cut e) {
            streamsCut.increment();
            throw e; // the server closes the connection: no terminating chunk
        } finally {
            activeStreams.decrementAndGet();
        }
    }

    private void record(HttpExchange ex, String path, byte[] body, int limit) {
        if (limit == 0) {
            return;
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ex.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        RecordedRequest request = new RecordedRequest(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                Collections.unmodifiableMap(headers), body);
        synchronized (recorded) {
            recorded.addLast(request);
            while (recorded.size() > limit) {
                recorded.removeFirst();
            }
        }
    }

    private static boolean authorized(Headers headers, String query, String expected) {
        String authorization = headers.getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && authorization.substring(7).strip().equals(expected)) {
            return true;
        }
        return expected.equals(headers.getFirst("x-api-key")) || expected.equals(headers.getFirst("x-goog-api-key"))
                || expected.equals(headers.getFirst("api-key")) || expected.equals(queryParameter(query, "key"));
    }

    /** A parameter of a raw query string (URL-decoded), or null. */
    static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** An Azure OpenAI path: {@code /openai/deployments/{deployment}/chat/completions} (or responses, embeddings). */
    record AzureTarget(String deployment, String openAiPath) {
        static AzureTarget of(String path) {
            String prefix = "/openai/deployments/";
            if (!path.startsWith(prefix)) {
                return null;
            }
            int slash = path.indexOf('/', prefix.length());
            if (slash <= prefix.length()) {
                return null;
            }
            return new AzureTarget(path.substring(prefix.length(), slash), "/v1" + path.substring(slash));
        }
    }

    private static void unauthorized(HttpExchange ex, Api api, Headers headers) throws IOException {
        String authorization = headers.getFirst("Authorization");
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : headers.getFirst("x-api-key");
        String body;
        if (api == Api.GEMINI) { // Google answers a bad key with 400 API_KEY_INVALID
            sendJson(ex, 400, GeminiWire.error(400, "API key not valid. Please pass a valid API key.",
                    "INVALID_ARGUMENT"));
            return;
        }
        if (api == Api.ANTHROPIC) {
            body = AnthropicWire.error("authentication_error",
                    given == null ? "x-api-key header is required" : "invalid x-api-key");
        } else if (given == null) {
            body = OpenAiWire.error("You didn't provide an API key. You need to provide your API key in an "
                    + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    "invalid_request_error", null);
        } else {
            body = OpenAiWire.error("Incorrect API key provided: " + mask(given) + ".", "invalid_request_error",
                    "invalid_api_key");
        }
        sendJson(ex, 401, body);
    }

    private static String mask(String key) {
        return key.length() <= 8 ? "****" : key.substring(0, 3) + "*".repeat(key.length() - 7) + key.substring(key.length() - 4);
    }

    private static void badRequest(HttpExchange ex, Api api, String message) throws IOException {
        sendJson(ex, 400, switch (api) {
            case ANTHROPIC -> AnthropicWire.error("invalid_request_error", message);
            case GEMINI -> GeminiWire.error(400, message, "INVALID_ARGUMENT");
            case OPENAI -> OpenAiWire.error(message, "invalid_request_error", null);
        });
    }

    static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json);
    }

    static void send(HttpExchange ex, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ---- for the control endpoints ---------------------------------------------------------

    Settings settings() {
        return settings;
    }

    MockUpstream settings(Settings next) {
        return update(s -> next);
    }

    Call.Cache cache() {
        return cache;
    }

    long thoughtsTokens() {
        return thoughts;
    }
}
