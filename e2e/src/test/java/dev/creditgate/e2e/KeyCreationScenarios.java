package dev.creditgate.e2e;

import static dev.creditgate.e2e.Http.bearer;
import static dev.creditgate.e2e.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

import dev.creditgate.demo.SystemLauncher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Issue 4 against the real gateway of this repository: keys created by the credit platform exist in the gateway as
 * {@code letaicode} tokens; disabling and deleting propagate; with the gateway down a creation fails cleanly and
 * leaves nothing on either side, and a retry once it is back creates exactly one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KeyCreationScenarios {

    SystemLauncher system;

    abstract SystemLauncher.Config config();

    @BeforeAll
    void start() {
        system = SystemLauncher.start(config());
    }

    @AfterAll
    void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aCreatedKeyIsALetaicodeTokenInTheGateway() {
        String userId = newUser();
        JsonNode key = createKey(userId, 201);
        String keyId = key.path("id").asString();
        assertThat(key.path("key").asString()).startsWith("sk-").hasSize(51);
        assertThat(key.path("status").asString()).isEqualTo("ACTIVE");
        long tokenId = key.path("remoteKeyId").asLong();
        assertThat(tokenId).isPositive();

        JsonNode token = gateway("GET", "/api/token/" + tokenId, null, 200).data();
        assertThat(token.path("source").asString()).isEqualTo("letaicode");
        assertThat(token.path("remote_key_id").asString()).isEqualTo(keyId);
        assertThat(token.path("unlimited_quota").asBoolean()).isTrue();
        assertThat(token.path("status").asInt()).isEqualTo(1);
        assertThat(token.path("key").asString()).doesNotContain(key.path("key").asString().substring(3));

        JsonNode page = gateway("GET", "/api/token/?source=letaicode&remote_key_id=" + keyId, null, 200).data();
        assertThat(page.path("total").asLong()).isEqualTo(1);
        // the key the platform answered is the one the gateway knows
        assertThat(send("GET", system.gatewayUrl() + "/v1/models", null, "Authorization",
                bearer(key.path("key").asString())).status()).isEqualTo(200);
    }

    @Test
    void disablingAndDeletingPropagateToTheGateway() {
        JsonNode key = createKey(newUser(), 201);
        String keyId = key.path("id").asString();
        long tokenId = key.path("remoteKeyId").asLong();
        String models = system.gatewayUrl() + "/v1/models";
        String auth = bearer(key.path("key").asString());

        credits("PATCH", "/api/keys/" + keyId, "{\"status\":\"DISABLED\"}", 200);
        assertThat(gateway("GET", "/api/token/" + tokenId, null, 200).data().path("status").asInt()).isEqualTo(2);
        eventually(() -> send("GET", models, null, "Authorization", auth).status() == 401, "disabled key refused");

        credits("PATCH", "/api/keys/" + keyId, "{\"status\":\"ACTIVE\"}", 200);
        assertThat(gateway("GET", "/api/token/" + tokenId, null, 200).data().path("status").asInt()).isEqualTo(1);
        eventually(() -> send("GET", models, null, "Authorization", auth).status() == 200, "enabled key accepted");

        credits("DELETE", "/api/keys/" + keyId, null, 200);
        gateway("GET", "/api/token/" + tokenId, null, 404);
        eventually(() -> send("GET", models, null, "Authorization", auth).status() == 401, "deleted key refused");
        assertThat(send("GET", system.creditsUrl() + "/api/credits/balance/" + keyId, null,
                "X-API-Key", system.config().creditsServiceToken()).status()).isEqualTo(404);
    }

    @Test
    void withTheGatewayDownCreationFailsCleanlyAndARetryCreatesExactlyOne() {
        String userId = newUser();
        long letaicodeTokens = letaicodeTokenCount();

        system.stopGateway();
        try {
            Http.Response refused = send("POST", system.creditsUrl() + "/api/keys",
                    "{\"userId\":\"" + userId + "\",\"label\":\"while down\"}",
                    "Authorization", bearer(system.config().creditsAdminToken()));
            assertThat(refused.status()).as(refused.body()).isEqualTo(502);
            assertThat(refused.json().path("success").asBoolean()).isFalse();
            assertThat(refused.body()).doesNotContain("sk-");
            assertThat(keysOf(userId)).isZero();
        } finally {
            system.startGateway();
        }
        assertThat(letaicodeTokenCount()).isEqualTo(letaicodeTokens);
        assertThat(keysOf(userId)).isZero();

        JsonNode key = createKey(userId, 201);
        assertThat(letaicodeTokenCount()).isEqualTo(letaicodeTokens + 1);
        assertThat(keysOf(userId)).isEqualTo(1);
        JsonNode token = gateway("GET", "/api/token/" + key.path("remoteKeyId").asLong(), null, 200).data();
        assertThat(token.path("remote_key_id").asString()).isEqualTo(key.path("id").asString());
    }

    // ---- helpers

    String newUser() {
        String email = "u" + UUID.randomUUID().toString().substring(0, 8) + "@e2e.test";
        return credits("POST", "/api/users", "{\"email\":\"" + email + "\",\"name\":\"e2e\"}", 201)
                .data().path("id").asString();
    }

    JsonNode createKey(String userId, int expected) {
        return credits("POST", "/api/keys", "{\"userId\":\"" + userId + "\",\"label\":\"e2e key\"}", expected).data();
    }

    int keysOf(String userId) {
        return credits("GET", "/api/keys?userId=" + userId, null, 200).data().size();
    }

    long letaicodeTokenCount() {
        return gateway("GET", "/api/token/?source=letaicode&page_size=100", null, 200).data().path("total").asLong();
    }

    Http.Response credits(String method, String path, String body, int expected) {
        Http.Response r = send(method, system.creditsUrl() + path, body,
                "Authorization", bearer(system.config().creditsAdminToken()));
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r;
    }

    Http.Response gateway(String method, String path, String body, int expected) {
        Http.Response r = send(method, system.gatewayUrl() + path, body,
                "Authorization", bearer(system.config().gatewayAdminToken()));
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r;
    }

    /** Polls with a deadline (token caches are bounded by gateway.token-cache-ttl, 1 s). */
    static void eventually(Supplier<Boolean> condition, String what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.get()) {
            assertThat(Instant.now()).as("timed out waiting for: " + what).isBefore(deadline);
            Thread.onSpinWait();
            try {
                Thread.sleep(50); // polling interval, not a wait for time to pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
