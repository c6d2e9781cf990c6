package dev.creditgate.gateway.channel;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import dev.creditgate.testkit.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Channel health across two gateway instances on one PostgreSQL database: 2 consecutive counted failures (5xx, 401,
 * 403, connection errors) within 60 s disable a channel (status 3, reason recorded, visible in
 * {@code GET /api/channel/}), every instance stops routing to it, one instance per interval probes it (interval 1 s,
 * checks every 200 ms on each instance) and it is re-enabled once the probe answers; client errors (400, 429) do not
 * count, a success clears the count, a channel disabled by hand stays disabled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChannelHealthIT {

    static final String[] PROPS = {"gateway.channel-health.enabled=true", "gateway.channel-health.failures=2", "gateway.channel-health.window=60s",
            "gateway.channel-health.probe-interval=1s", "gateway.channel-health.check-every=200ms",
            "gateway.upstream.max-attempts=1"};

    TestDatabases.Db db;
    RunningGateway g1;
    RunningGateway g2;
    MockUpstream mock;
    String key;

    @BeforeAll
    void start() {
        db = TestDatabases.postgres();
        mock = MockUpstream.start();
        g1 = RunningGateway.start(db, PROPS);
        g2 = RunningGateway.start(db, PROPS);
        long user = ok(g1.admin("POST", "/api/user/", json("username", "health", "quota", 100_000_000,
                "group", "default"))).data().path("id").asLong();
        Answer token = ok(g1.admin("POST", "/api/token/", json("name", "t", "user_id", user,
                "unlimited_quota", true)));
        key = token.data().path("key").asString();
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {g1, g2, mock}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing the rest anyway
            }
        }
        if (db != null) {
            db.drop().run();
        }
    }

    long channel(String model) {
        long id = ok(g1.admin("POST", "/api/channel/", json("name", model, "type", "openai", "base_url",
                mock.baseUrl(), "key", "sk-up", "models", model))).data().path("id").asLong();
        for (RunningGateway g : List.of(g1, g2)) {
            g.context().getBean(ChannelSelector.class).refresh();
        }
        return id;
    }

    Answer chat(RunningGateway g, String model) {
        return g.call("POST", "/v1/chat/completions", json("model", model, "messages",
                List.of(Map.of("role", "user", "content", "hello"))), "Bearer " + key);
    }

    JsonNode view(RunningGateway g, long id) {
        return ok(g.admin("GET", "/api/channel/" + id, null)).data();
    }

    @Test
    void repeatedFailuresDisableTheChannelEverywhereAndAProbeReEnablesIt() {
        long id = channel("gpt-4o-mini");
        mock.failWith(500);

        assertThat(chat(g1, "gpt-4o-mini").status()).isEqualTo(500);
        assertThat(view(g2, id).path("status").asInt()).as("one failure").isEqualTo(1);
        assertThat(chat(g1, "gpt-4o-mini").status()).isEqualTo(500);

        JsonNode disabled = view(g2, id);
        assertThat(disabled.path("status").asInt()).isEqualTo(3);
        assertThat(disabled.path("status_reason").asString()).startsWith("2 consecutive failures within 60s; last: HTTP 500");
        assertThat(disabled.path("status_time").asLong()).isPositive();
        assertThat(RunningGateway.JSON.readTree(disabled.path("other_info").asString()).path("status_reason")
                .asString()).isEqualTo(disabled.path("status_reason").asString());
        // the other instance routes no more requests to it, without an upstream call
        long calls = mock.calls("/v1/chat/completions");
        Answer none = RunningGateway.await(Duration.ofSeconds(5), () -> chat(g2, "gpt-4o-mini"), a -> a.status() == 503);
        assertThat(none.json().path("error").path("code").asString()).isEqualTo("model_not_found");
        // probes fail while the upstream fails: one per interval over both instances, the reason says so
        RunningGateway.await(Duration.ofSeconds(10), () -> ok(g1.admin("GET", "/api/channel/" + id, null)),
                a -> a.data().path("status_reason").asString().equals("probe answered HTTP 500"));
        assertThat(view(g1, id).path("status").asInt()).isEqualTo(3);
        assertThat(view(g1, id).path("test_time").asLong()).isPositive();
        long probesBefore = probes().size();
        long t0 = System.nanoTime();
        RunningGateway.await(Duration.ofSeconds(10), () -> ok(g1.admin("GET", "/api/status", null)),
                a -> probes().size() >= probesBefore + 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).as("2 more probes take about 2 intervals (checks every 200 ms on 2 instances would "
                + "probe 10 times a second without the claim)").isGreaterThan(0.8);
        RecordedRequest probe = probes().getLast();
        assertThat(probe.json().path("max_tokens").asInt()).isEqualTo(1);
        assertThat(probe.json().path("model").asString()).isEqualTo("gpt-4o-mini");

        mock.clearFaults(); // the upstream answers again
        RunningGateway.await(Duration.ofSeconds(10), () -> ok(g1.admin("GET", "/api/channel/" + id, null)),
                a -> a.data().path("status").asInt() == 1);
        JsonNode back = view(g2, id);
        assertThat(back.path("status_reason").asString()).startsWith("re-enabled: probe answered in ");
        // each instance routes to it again once its channel snapshot is re-read (gateway.cache-refresh)
        for (RunningGateway g : List.of(g2, g1)) {
            assertThat(RunningGateway.await(Duration.ofSeconds(5), () -> chat(g, "gpt-4o-mini"), a -> a.status() == 200)
                    .status()).isEqualTo(200);
        }
        assertThat(mock.calls("/v1/chat/completions")).isGreaterThan(calls);
    }

    @Test
    void clientErrorsDoNotCountAndASuccessClearsTheCount() {
        long id = channel("gpt-4o");
        mock.failWith(400);
        for (int i = 0; i < 3; i++) {
            assertThat(chat(g1, "gpt-4o").status()).isEqualTo(400);
        }
        mock.clearFaults().failWith(429);
        for (int i = 0; i < 3; i++) {
            assertThat(chat(g1, "gpt-4o").status()).isEqualTo(429);
        }
        mock.clearFaults();
        for (int i = 0; i < 3; i++) {
            mock.failNext(1, 503);
            assertThat(chat(g1, "gpt-4o").status()).isEqualTo(503);
            assertThat(chat(g1, "gpt-4o").status()).isEqualTo(200);
        }
        JsonNode v = view(g1, id);
        assertThat(v.path("status").asInt()).isEqualTo(1);
        assertThat(v.path("status_reason").asString()).isEmpty();
    }

    @Test
    void anUnauthorizedChannelIsDisabledAndOneDisabledByHandIsNeverProbed() {
        long id = channel("gpt-4.1-mini");
        mock.failWith(401);
        chat(g1, "gpt-4.1-mini");
        chat(g2, "gpt-4.1-mini"); // counts are per instance: one failure on each does not disable
        assertThat(view(g1, id).path("status").asInt()).isEqualTo(1);
        chat(g2, "gpt-4.1-mini");
        assertThat(view(g1, id).path("status").asInt()).isEqualTo(3);
        assertThat(view(g1, id).path("status_reason").asString()).contains("HTTP 401");

        ok(g1.admin("PUT", "/api/channel/", json("id", id, "status", 2)));
        mock.clearFaults();
        assertThat(view(g1, id).path("status_reason").asString()).isEqualTo("set by the management API");
        long probesBefore = probes().size();
        long t0 = System.nanoTime();
        // more than a probe interval (and several checks on each instance) pass: a manual status is not probed
        RunningGateway.await(Duration.ofSeconds(5), () -> ok(g1.admin("GET", "/api/status", null)),
                a -> System.nanoTime() - t0 > 1_600_000_000L);
        assertThat(probes()).hasSize((int) probesBefore);
        assertThat(view(g2, id).path("status").asInt()).isEqualTo(2);
        ok(g1.admin("PUT", "/api/channel/", json("id", id, "status", 1)));
        assertThat(view(g2, id).path("status_reason").asString()).isEmpty();
    }

    /** The probe requests the mock received (one-token chats of "hi"). */
    List<RecordedRequest> probes() {
        return mock.requests().stream().filter(r -> r.path().equals("/v1/chat/completions")
                && r.json().path("max_tokens").asInt() == 1
                && r.json().path("messages").path(0).path("content").asString().equals("hi")).toList();
    }

    static Answer ok(Answer a) {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }
}
