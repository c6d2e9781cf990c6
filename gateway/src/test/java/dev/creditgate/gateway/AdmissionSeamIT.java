package dev.creditgate.gateway;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.EndpointKind;
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

/** What the relay hands to an {@link Admission}: the request, the usage at settlement, and always a close. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionSeamIT {

    @Configuration(proxyBeanMethods = false)
    static class TestAdmissionConfig {
        static final RecordingAdmission ADMISSION = new RecordingAdmission(1000, 42);

        /** Named so: the primary admission (quota.AdmissionRouter) routes non-native tokens to "creditAdmission". */
        @Bean
        Admission creditAdmission() {
            return ADMISSION;
        }
    }

    final RecordingAdmission admission = TestAdmissionConfig.ADMISSION;
    TestDatabases.Db db;
    MockUpstream mock;
    RunningGateway gw;
    String key;
    String remoteKeyId = "6f1c2b1e-1111-4a4a-9b9b-123456789abc";

    @BeforeAll
    void start() {
        db = TestDatabases.h2();
        mock = MockUpstream.start();
        gw = RunningGateway.start(db, new Class<?>[] {TestAdmissionConfig.class}, "gateway.logs.flush-interval=50ms",
                "spring.main.allow-bean-definition-overriding=true"); // its creditAdmission replaces the real one
        assertThat(gw.admin("POST", "/api/channel/", json("name", "mock", "type", "openai", "base_url", mock.baseUrl(),
                "key", "k", "models", "gpt-4o-mini,refused-model,text-embedding-3-small")).status()).isEqualTo(200);
        key = gw.admin("POST", "/api/token/", json("name", "lac", "remain_quota", -1, "unlimited_quota", true,
                "user_id", 0, "source", "letaicode", "group", "letaicode", "remote_key_id", remoteKeyId))
                .data().path("key").asString();
    }

    @BeforeEach
    void reset() {
        mock.reset();
        mock.resetStats();
        admission.requests.clear();
        admission.settled.clear();
        admission.closed.set(0);
    }

    @AfterAll
    void stop() {
        gw.close();
        mock.close();
    }

    Answer chat(String model, boolean stream) {
        return gw.call("POST", "/v1/chat/completions", json("model", model, "stream", stream, "max_tokens", 50,
                "messages", List.of(Map.of("role", "user", "content", "hello there"))), "Bearer " + key);
    }

    @Test
    void nonStreamSettlesTheUpstreamUsageAndLogsTheCharge() {
        mock.usage(12, 5);
        Answer a = chat("gpt-4o-mini", false);
        assertThat(a.status()).isEqualTo(200);

        AdmissionRequest r = admission.requests.getFirst();
        awaitSettledAndClosed(1);
        assertThat(r.requestId()).isEqualTo(a.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(r.model()).isEqualTo("gpt-4o-mini");
        assertThat(r.endpoint()).isEqualTo(EndpointKind.CHAT_COMPLETIONS);
        assertThat(r.stream()).isFalse();
        assertThat(r.body().path("max_tokens").asInt()).isEqualTo(50);
        assertThat(r.body().path("messages").get(0).path("content").asString()).isEqualTo("hello there");
        assertThat(r.token().source()).isEqualTo("letaicode");
        assertThat(r.token().remoteKeyId()).isEqualTo(remoteKeyId);
        assertThat(r.token().group()).isEqualTo("letaicode");
        assertThat(r.token().userId()).isZero();
        assertThat(r.token().unlimitedQuota()).isTrue();

        assertThat(admission.settled).singleElement().satisfies(u -> {
            assertThat(u.promptTokens()).isEqualTo(12);
            assertThat(u.completionTokens()).isEqualTo(5);
            assertThat(u.totalTokens()).isEqualTo(17);
            assertThat(u.anyByteDelivered()).isTrue();
            assertThat(u.clientDisconnected()).isFalse();
        });
        assertThat(admission.closed.get()).isEqualTo(1);
        JsonNode row = logRow(r.requestId());
        assertThat(row.path("quota").asLong()).isEqualTo(42);
        assertThat(row.path("type").asInt()).isEqualTo(2);
    }

    @Test
    void aStreamWithoutUpstreamUsageHandsOverTheDeliveredText() {
        mock.fault(Fault.NONE.withoutUsage());
        Answer a = chat("gpt-4o-mini", true);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).contains("data: [DONE]");
        awaitSettledAndClosed(1);
        assertThat(admission.requests.getFirst().stream()).isTrue();
        assertThat(admission.settled).singleElement().satisfies(u -> {
            assertThat(u.hasUpstreamUsage()).isFalse();
            assertThat(u.deliveredText()).isEqualTo(MockUpstream.DEFAULT_TEXT);
            assertThat(u.anyByteDelivered()).isTrue();
        });
        assertThat(admission.closed.get()).isEqualTo(1);
    }

    @Test
    void aCutStreamIsSettledForWhatWasDelivered() {
        mock.fault(Fault.NONE.withCutAfter(2));
        chat("gpt-4o-mini", true);
        awaitSettledAndClosed(1);
        assertThat(admission.settled).singleElement().satisfies(u -> {
            assertThat(u.hasUpstreamUsage()).isFalse();
            assertThat(u.deliveredText()).isEqualTo("Hello from");
            assertThat(u.anyByteDelivered()).isTrue();
        });
        assertThat(admission.closed.get()).isEqualTo(1);
    }

    @Test
    void aRefusalIsRenderedAndNoUpstreamIsCalled() {
        Answer a = chat("refused-model", false);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.json().path("error").path("code").asString()).isEqualTo("insufficient_user_quota");
        assertThat(a.json().path("error").path("message").asString()).contains("remaining 0, needed 1000");
        assertThat(mock.calls()).isZero();
        assertThat(admission.settled).isEmpty();
        assertThat(logRow(a.headers().firstValue("X-Request-Id").orElseThrow()).path("type").asInt()).isEqualTo(5);
    }

    @Test
    void anUpstreamFailureIsNotSettledButClosed() {
        mock.failNext(1, 500);
        Answer a = chat("gpt-4o-mini", false);
        assertThat(a.status()).isEqualTo(500);
        awaitSettledAndClosed(0);
        assertThat(admission.settled).isEmpty();
        assertThat(admission.closed.get()).isEqualTo(1);
    }

    @Test
    void embeddingsAreAdmittedAsEmbeddings() {
        Answer a = gw.call("POST", "/v1/embeddings", json("model", "text-embedding-3-small", "input", "hi"), "Bearer " + key);
        assertThat(a.status()).isEqualTo(200);
        assertThat(admission.requests.getFirst().endpoint()).isEqualTo(EndpointKind.EMBEDDINGS);
        awaitSettledAndClosed(1);
        assertThat(admission.settled).singleElement().satisfies(u -> assertThat(u.promptTokens()).isPositive());
    }

    /** Settlement and close run after the answer was delivered (the client does not wait for them). */
    void awaitSettledAndClosed(int settled) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (admission.settled.size() < settled || admission.closed.get() < 1) {
            assertThat(System.nanoTime()).as("settle/close within 10 s").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    JsonNode logRow(String requestId) {
        return RunningGateway.await(Duration.ofSeconds(10), () -> gw.admin("GET", "/api/log/?request_id=" + requestId, null),
                x -> x.data().path("items").size() == 1).data().path("items").get(0);
    }
}
