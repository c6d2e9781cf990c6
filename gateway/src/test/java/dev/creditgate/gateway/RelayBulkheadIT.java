package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code gateway.relay.max-concurrent} under real threads and real streams: with 3 streams held open through a
 * running gateway (H2, the mock upstream), every further relay on any route is answered 503 {@code gateway_busy} with
 * {@code Retry-After} in its route's shape, reaches no upstream and writes no log row, while the 3 streams go on to
 * their end; then the places come back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayBulkheadIT {

    static final int LIMIT = 3;
    static final String CHAT = json("model", "gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi")));

    TestDatabases.Db db;
    RunningGateway gw;
    MockUpstream openai;
    String key;

    @BeforeAll
    void start() {
        db = TestDatabases.h2();
        openai = MockUpstream.start();
        gw = RunningGateway.start(db, "gateway.logs.flush-interval=50ms", "gateway.relay.max-concurrent=" + LIMIT);
        Answer c = gw.admin("POST", "/api/channel/", json("name", "openai", "type", "openai", "base_url",
                openai.baseUrl(), "key", "sk-upstream", "models", "gpt-4o-mini,claude-test"));
        assertThat(c.status()).as(c.body()).isEqualTo(200);
        Answer o = gw.admin("PUT", "/api/option/", json("key", "AllowUnpricedModels", "value", "true"));
        assertThat(o.status()).as(o.body()).isEqualTo(200);
        Answer t = gw.admin("POST", "/api/token/", json("name", "bulkhead", "unlimited_quota", true));
        assertThat(t.status()).as(t.body()).isEqualTo(200);
        key = t.data().path("key").asString();
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (openai != null) {
            openai.close();
        }
    }

    @Test
    void pastTheBoundRelaysAre503GatewayBusyAndTheHeldStreamsGoOn() throws Exception {
        MeterRegistry metrics = gw.context().getBean(MeterRegistry.class);
        assertThat(metrics.get("creditgate.relay.limit").gauge().value()).isEqualTo(LIMIT);
        openai.chunks(20).chunkDelay(Duration.ofMillis(150)); // each stream stays open ~3 s
        OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
        ExecutorService pool = Executors.newFixedThreadPool(LIMIT + 10);
        try {
            List<Future<String>> streams = new ArrayList<>();
            for (int i = 0; i < LIMIT; i++) {
                streams.add(pool.submit(() -> {
                    StringBuilder text = new StringBuilder();
                    try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
                            ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("hi").build())) {
                        s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
                    }
                    return text.toString();
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (openai.streamsStarted() < LIMIT && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(openai.streamsStarted()).isEqualTo(LIMIT);
            assertThat(metrics.get("creditgate.relay.active").gauge().value()).isEqualTo(LIMIT);
            long callsBefore = openai.calls();
            long rowsBefore = logRows();
            double refusedBefore = metrics.get("creditgate.relay.refused").counter().count();

            // ten more at once, from real threads, on the OpenAI route: all refused, none waits for a place
            List<Callable<Answer>> more = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                more.add(() -> gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key));
            }
            for (Future<Answer> f : pool.invokeAll(more)) {
                Answer a = f.get();
                assertThat(a.status()).as(a.body()).isEqualTo(503);
                assertThat(a.json().path("error").path("code").asString()).isEqualTo("gateway_busy");
                assertThat(a.json().path("error").path("message").asString()).contains("gateway.relay.max-concurrent");
                assertThat(a.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(a.headers().firstValue("X-Request-Id")).isPresent();
            }
            // the official SDK sees a 5xx it may retry, with the gateway's code
            try {
                sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                        .addUserMessage("hi").build());
                throw new AssertionError("a relay past the bound was answered");
            } catch (InternalServerException e) {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(e.code()).hasValue("gateway_busy");
            }
            // Anthropic's route answers in Anthropic's shape; count_tokens takes a place too
            Answer messages = gw.call("POST", "/v1/messages", json("model", "claude-test", "max_tokens", 16,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key);
            assertThat(messages.status()).as(messages.body()).isEqualTo(503);
            assertThat(messages.json().path("type").asString()).isEqualTo("error");
            assertThat(messages.json().path("error").path("message").asString()).contains("max-concurrent");
            Answer count = gw.call("POST", "/v1/messages/count_tokens", json("model", "claude-test",
                    "messages", List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + key);
            assertThat(count.status()).as(count.body()).isEqualTo(503);

            assertThat(openai.calls()).isEqualTo(callsBefore);
            assertThat(metrics.get("creditgate.relay.refused").counter().count() - refusedBefore).isEqualTo(13);

            for (Future<String> s : streams) {
                assertThat(s.get(30, TimeUnit.SECONDS)).isEqualTo(openai.replyText());
            }
            assertThat(logRows()).isEqualTo(rowsBefore + LIMIT); // the three streams; the refused wrote none
        } finally {
            pool.shutdownNow();
        }
        openai.chunkDelay(Duration.ZERO);
        assertThat(metrics.get("creditgate.relay.active").gauge().value()).isZero();
        for (int i = 0; i < LIMIT + 2; i++) { // the places came back, one after the other
            Answer a = gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
        }
    }

    @Test
    void tomcatRunsTheLeanProtocolWithSmallPerRequestBuffers() {
        var server = (org.springframework.boot.tomcat.TomcatWebServer)
                ((org.springframework.boot.web.server.context.WebServerApplicationContext) gw.context()).getWebServer();
        var protocol = server.getTomcat().getConnector().getProtocolHandler();
        assertThat(protocol).isInstanceOf(dev.creditgate.gateway.web.LeanHttp11NioProtocol.class);
        assertThat(protocol.getDesiredBufferSize()).isEqualTo(4096);
        assertThat(((org.apache.coyote.http11.AbstractHttp11Protocol<?>) protocol).getMaxTrailerSize()).isEqualTo(1024);
        // a relayed answer larger than the response buffer arrives whole, with its length
        String text = "lorem ipsum ".repeat(2000);
        openai.reply(text);
        try {
            Answer a = gw.call("POST", "/v1/chat/completions", CHAT, "Bearer " + key);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
            String content = a.json().path("choices").path(0).path("message").path("content").asString();
            assertThat(content.length()).isGreaterThan(8192);
            assertThat(content.equals(openai.replyText())).as("the whole reply arrived").isTrue();
            assertThat(a.headers().firstValueAsLong("Content-Length")).hasValue(a.body().length());
        } finally {
            openai.reset();
        }
    }

    /** Log rows of the key, once the log writer has flushed those already queued. */
    long logRows() {
        RunningGateway.await(Duration.ofSeconds(5), () -> gw.admin("GET", "/api/log/?page_size=1", null),
                a -> a.status() == 200);
        try {
            Thread.sleep(300); // flush-interval 50 ms
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return gw.admin("GET", "/api/log/?page_size=1", null).data().path("total").asLong();
    }
}
