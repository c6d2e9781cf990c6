package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.support.RecordingAdmission;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.Fault;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * The {@link UsageReport} every route hands to settlement, stream and non-stream, read from the mock's real usage
 * shapes: prompt tokens with the cache tokens included, the cache split, whether the whole answer was received;
 * and the output limit admission asks for, in the body the upstream got.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayUsageIT {

    @Configuration(proxyBeanMethods = false)
    static class TestAdmissionConfig {
        static final RecordingAdmission ADMISSION = new RecordingAdmission(0, 1);

        /** Named so: the primary admission routes non-native tokens to "creditAdmission". */
        @Bean
        Admission creditAdmission() {
            return ADMISSION;
        }
    }

    static final List<Map<String, String>> HI = List.of(Map.of("role", "user", "content", "hello there"));

    final RecordingAdmission admission = TestAdmissionConfig.ADMISSION;
    TestDatabases.Db db;
    MockUpstream openai;
    MockUpstream anthropic;
    RunningGateway gw;
    String key;

    @BeforeAll
    void start() {
        db = TestDatabases.h2();
        openai = MockUpstream.start();
        anthropic = MockUpstream.start();
        gw = RunningGateway.start(db, new Class<?>[] {TestAdmissionConfig.class}, "gateway.logs.flush-interval=50ms",
                "spring.main.allow-bean-definition-overriding=true");
        assertThat(gw.admin("POST", "/api/channel/", json("name", "openai", "type", "openai", "base_url",
                openai.baseUrl(), "key", "k", "models", "gpt-m")).status()).isEqualTo(200);
        assertThat(gw.admin("POST", "/api/channel/", json("name", "anthropic", "type", "anthropic", "base_url",
                anthropic.baseUrl(), "key", "k", "models", "claude-m")).status()).isEqualTo(200);
        key = gw.admin("POST", "/api/token/", json("name", "usage", "remain_quota", -1, "unlimited_quota", true,
                "user_id", 0, "source", "letaicode", "group", "letaicode", "remote_key_id", "usage-it"))
                .data().path("key").asString();
    }

    @BeforeEach
    void reset() {
        openai.reset();
        anthropic.reset();
        admission.settled.clear();
        admission.outputLimit = null;
    }

    @AfterAll
    void stop() {
        gw.close();
        openai.close();
        anthropic.close();
        db.drop().run();
    }

    Answer call(String path, boolean stream) {
        String body = switch (path) {
            case "/v1/chat/completions" -> json("model", "gpt-m", "stream", stream, "max_tokens", 50, "messages", HI);
            case "/v1/responses" -> json("model", "gpt-m", "stream", stream, "input", "hello there");
            default -> json("model", "claude-m", "stream", stream, "max_tokens", 50, "messages", HI);
        };
        Answer a = gw.call("POST", path, body, "Bearer " + key);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }

    UsageReport settled() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (admission.settled.isEmpty()) {
            assertThat(System.nanoTime()).as("settled within 10 s").isLessThan(deadline);
            LockSupport.parkNanos(5_000_000);
        }
        assertThat(admission.settled).hasSize(1);
        return admission.settled.removeFirst();
    }

    JsonNode logRow(Answer a) {
        String id = a.headers().firstValue("X-Request-Id").orElseThrow();
        return RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/log/?request_id=" + id, null),
                x -> x.data().path("items").size() == 1).data().path("items").get(0);
    }

    @Test
    void anthropicInputIncludesTheCacheTokensStreamAndNonStream() {
        anthropic.usage(12_000, 7).cacheTokens(10_000, 600, 400); // the mock reports input_tokens 1,000
        for (boolean stream : new boolean[] {false, true}) {
            Answer a = call("/v1/messages", stream);
            UsageReport u = settled();
            assertThat(u.promptTokens()).as("stream " + stream).isEqualTo(12_000);
            assertThat(u.completionTokens()).isEqualTo(7);
            assertThat(u.totalTokens()).isEqualTo(12_007);
            assertThat(u.cache()).isEqualTo(new CacheTokens(10_000, 600, 400));
            assertThat(u.answerReceived()).isTrue();
            assertThat(logRow(a).path("prompt_tokens").asInt()).isEqualTo(12_000);
        }
    }

    @Test
    void openAiChatAndResponsesReportTheirCachedTokensAsReads() {
        openai.usage(3_000, 5).cacheTokens(2_048, 0, 0);
        for (String path : List.of("/v1/chat/completions", "/v1/responses")) {
            for (boolean stream : new boolean[] {false, true}) {
                Answer a = call(path, stream);
                UsageReport u = settled();
                assertThat(u.promptTokens()).as(path + " stream " + stream).isEqualTo(3_000);
                assertThat(u.completionTokens()).isEqualTo(5);
                assertThat(u.cache()).isEqualTo(new CacheTokens(2_048, 0, 0));
                assertThat(u.answerReceived()).isTrue();
                assertThat(logRow(a).path("prompt_tokens").asInt()).isEqualTo(3_000);
            }
        }
    }

    @Test
    void aStreamCutShortIsNotAnAnswerReceived() {
        openai.fault(Fault.NONE.withCutAfter(2));
        anthropic.fault(Fault.NONE.withCutAfter(2));
        for (String path : List.of("/v1/chat/completions", "/v1/responses", "/v1/messages")) {
            call(path, true);
            UsageReport u = settled();
            assertThat(u.answerReceived()).as(path).isFalse();
            assertThat(u.anyByteDelivered()).isTrue();
            assertThat(u.deliveredText()).isEqualTo("Hello from");
        }
    }

    @Test
    void theOutputLimitOfAdmissionReplacesTheClientsInTheUpstreamBody() {
        admission.outputLimit = 3;
        call("/v1/messages", true);
        assertThat(anthropic.lastRequest().json().path("max_tokens").asInt()).isEqualTo(3);
        assertThat(settled().deliveredText()).isEqualTo("Hello from the"); // the mock honoured it
        call("/v1/chat/completions", false);
        assertThat(openai.lastRequest().json().path("max_tokens").asInt()).isEqualTo(3);
        assertThat(settled().deliveredText()).isEqualTo("Hello from the");
        call("/v1/responses", true);
        assertThat(openai.lastRequest().json().path("max_output_tokens").asInt()).isEqualTo(3);
        assertThat(settled().deliveredText()).isEqualTo("Hello from the");

        admission.outputLimit = null;
        call("/v1/messages", false);
        assertThat(anthropic.lastRequest().json().path("max_tokens").asInt()).isEqualTo(50);
        assertThat(anthropic.lastRequest().bodyText()).isEqualTo(RunningGateway.json("model", "claude-m", "stream", false,
                "max_tokens", 50, "messages", HI)); // byte for byte
        settled();
    }
}
