package dev.creditgate.credits.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.creditgate.credits.CreditsApp;
import dev.creditgate.testkit.MutableClock;
import dev.creditgate.credits.TestDatabases;

/** Keys are created in the gateway and here together or not at all, also when the gateway is down or times out. */
class ApiKeyGatewayIT {

    static StubGateway gateway;
    static MutableClock clock = new MutableClock(java.time.Instant.now());
    static CreditsApp app;
    static String userId;

    @BeforeAll
    static void start() throws Exception {
        gateway = new StubGateway();
        app = CreditsApp.start(TestDatabases.h2(), clock, Map.of(
                "credits.gateway.url", gateway.url(),
                "credits.gateway.admin-token", StubGateway.ADMIN,
                "credits.gateway.timeout", "500ms",
                "credits.gateway.reconcile-after", "60s",
                "credits.gateway.reconcile-interval", "1h"));
        userId = app.admin("POST", "/api/users", "{\"email\":\"keys@example.test\",\"name\":\"K\"}").json().get("data").get("id").asString();
    }

    @AfterAll
    static void stop() {
        app.close();
        gateway.close();
    }

    @BeforeEach
    void reset() {
        gateway.mode = StubGateway.Mode.NORMAL;
        gateway.tokens.clear();
        app.jdbc().sql("DELETE FROM api_keys").update();
    }

    private CreditsApp.Answer create(String label) {
        return app.admin("POST", "/api/keys", "{\"userId\":\"" + userId + "\",\"label\":\"" + label + "\"}");
    }

    private long platformKeys() {
        return app.jdbc().sql("SELECT COUNT(*) FROM api_keys").query(Long.class).single();
    }

    @Test
    void createsTheTokenInTheGatewayAndStoresItsId() {
        CreditsApp.Answer r = create("my key");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode k = r.json().get("data");
        assertThat(k.propertyNames()).contains("id", "label", "key", "maskedValue", "remoteKeyId", "status");
        assertThat(k.get("key").asString()).startsWith("sk-").hasSize(51);
        assertThat(k.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(gateway.tokens).hasSize(1);
        StubGateway.Token t = gateway.tokens.values().iterator().next();
        assertThat(k.get("remoteKeyId").longValue()).isEqualTo(t.id());
        assertThat(t.remoteKeyId()).isEqualTo(k.get("id").asString());
        assertThat("sk-" + t.key()).isEqualTo(k.get("key").asString());
        JsonNode sent = t.request();
        assertThat(sent.get("name").asString()).isEqualTo("my key");
        assertThat(sent.get("source").asString()).isEqualTo("letaicode");
        assertThat(sent.get("unlimited_quota").booleanValue()).isTrue();
        assertThat(sent.get("remain_quota").longValue()).isEqualTo(-1);
        assertThat(sent.get("user_id").longValue()).isZero();
        assertThat(sent.get("group").asString()).isEqualTo("letaicode");
        // only a hash is stored; the list and the single read never show the key
        String stored = app.jdbc().sql("SELECT key_hash FROM api_keys").query(String.class).single();
        assertThat(stored).isEqualTo(ApiKeyService.sha256(t.key()));
        assertThat(app.admin("GET", "/api/keys?userId=" + userId, null).body()).doesNotContain(t.key());
        assertThat(app.service("GET", "/api/credits/balance/" + k.get("id").asString(), null).status()).isEqualTo(200);

        // disable / enable / delete propagate
        String id = k.get("id").asString();
        assertThat(app.admin("PATCH", "/api/keys/" + id, "{\"status\":\"DISABLED\"}").status()).isEqualTo(200);
        assertThat(gateway.tokens.get(t.id()).status()).isEqualTo(2);
        assertThat(app.service("GET", "/api/credits/balance/" + id, null).status()).isEqualTo(404);
        assertThat(app.admin("PATCH", "/api/keys/" + id, "{\"status\":\"ACTIVE\"}").status()).isEqualTo(200);
        assertThat(gateway.tokens.get(t.id()).status()).isEqualTo(1);
        gateway.mode = StubGateway.Mode.REFUSE;
        assertThat(app.admin("PATCH", "/api/keys/" + id, "{\"status\":\"DISABLED\"}").status()).isEqualTo(502);
        assertThat(app.admin("GET", "/api/keys/" + id, null).json().get("data").get("status").asString()).isEqualTo("ACTIVE");
        assertThat(app.admin("DELETE", "/api/keys/" + id, null).status()).isEqualTo(502);
        gateway.mode = StubGateway.Mode.NORMAL;
        assertThat(app.admin("DELETE", "/api/keys/" + id, null).status()).isEqualTo(200);
        assertThat(gateway.tokens).isEmpty();
        assertThat(app.service("GET", "/api/credits/balance/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void refusedByTheGatewayLeavesNothing() {
        gateway.mode = StubGateway.Mode.REFUSE;
        CreditsApp.Answer r = create("refused");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.body()).doesNotContain(StubGateway.ADMIN);
        assertThat(platformKeys()).isZero();
        assertThat(gateway.tokens).isEmpty();
    }

    @Test
    void timeoutAfterTheGatewayCreatedTheTokenIsCompensated() {
        gateway.mode = StubGateway.Mode.SLOW_AFTER_CREATE;
        CreditsApp.Answer r = create("slow");
        assertThat(r.status()).as(r.body()).isEqualTo(502);
        assertThat(gateway.tokens).as("the token the gateway made is deleted").isEmpty();
        assertThat(app.admin("GET", "/api/keys", null).json().get("data")).isEmpty();
        // a retry creates exactly one key on each side
        gateway.mode = StubGateway.Mode.NORMAL;
        CreditsApp.Answer retry = create("slow");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(gateway.tokens).hasSize(1);
        assertThat(app.admin("GET", "/api/keys", null).json().get("data")).hasSize(1);
        // the reconciler later forgets the failed attempt's tombstone
        clock.advance(Duration.ofSeconds(61));
        app.context.getBean(ApiKeyService.class).reconcile();
        assertThat(platformKeys()).isEqualTo(1);
        assertThat(gateway.tokens).hasSize(1);
    }

    @Test
    void aTokenThatLandsAfterTheDeadlineIsRemovedByTheReconciler() throws Exception {
        gateway.mode = StubGateway.Mode.CREATE_LATE;
        gateway.delayMs = 800;
        assertThat(create("late").status()).isEqualTo(502);
        // wait (bounded) for the slow gateway to finish creating it
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gateway.tokens.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(gateway.tokens).hasSize(1);
        assertThat(app.admin("GET", "/api/keys", null).json().get("data")).isEmpty();
        String keyId = gateway.tokens.values().iterator().next().remoteKeyId();
        assertThat(app.service("GET", "/api/credits/balance/" + keyId, null).status()).isEqualTo(404);
        gateway.mode = StubGateway.Mode.NORMAL;
        clock.advance(Duration.ofSeconds(61));
        assertThat(app.context.getBean(ApiKeyService.class).reconcile()).isEqualTo(1);
        assertThat(gateway.tokens).isEmpty();
        assertThat(platformKeys()).isZero();
    }

    @Test
    void gatewayDownLeavesNothingUsableAndIsCleanedUpLater() throws Exception {
        gateway.down();
        try {
            CreditsApp.Answer r = create("down");
            assertThat(r.status()).isEqualTo(502);
            assertThat(app.admin("GET", "/api/keys", null).json().get("data")).isEmpty();
            clock.advance(Duration.ofSeconds(61));
            assertThat(app.context.getBean(ApiKeyService.class).reconcile()).as("gateway still down").isZero();
        } finally {
            gateway.up();
        }
        assertThat(app.context.getBean(ApiKeyService.class).reconcile()).isEqualTo(1);
        assertThat(platformKeys()).isZero();
        assertThat(gateway.tokens).isEmpty();
        assertThat(create("back").status()).isEqualTo(201);
        assertThat(gateway.tokens).hasSize(1);
    }

    @Test
    void badInput() {
        assertThat(app.admin("POST", "/api/keys", "{\"userId\":\"" + userId + "\"}").status()).isEqualTo(400);
        assertThat(app.admin("POST", "/api/keys", "{\"userId\":\"00000000-0000-0000-0000-000000000000\",\"label\":\"x\"}").status()).isEqualTo(404);
        assertThat(app.admin("PATCH", "/api/keys/00000000-0000-0000-0000-000000000000", "{\"status\":\"DISABLED\"}").status()).isEqualTo(404);
        assertThat(app.admin("DELETE", "/api/keys/nope", null).status()).isEqualTo(404);
        assertThat(platformKeys()).isZero();
        assertThat(gateway.tokens).isEmpty();
    }
}
