package dev.creditgate.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Security review finding 14: usage event ids and admin refs were global, so another sender's colliding event id
 * voided a user's charge ("duplicate") and another user's ref answered 409. Both are now scoped per user: the same
 * id for two users is two operations, and for one user still exactly one.
 */
class IdempotencyPerUserIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void eventIdsAndRefsAreIdempotentPerUserNotAcrossUsers(String vendor) {
        try (CreditsApp app = CreditsApp.start(TestDatabases.of(vendor), null, Map.of())) {
            String[] a = app.userWithKey("10", 7001);
            String[] b = app.userWithKey("10", 7002);
            long now = System.currentTimeMillis();

            assertThat(app.usageWebhook("evt-shared", now, 7001, a[1], "0.01").json().path("message").asString())
                    .contains("charged");
            assertThat(app.usageWebhook("evt-shared", now, 7002, b[1], "0.02").json().path("message").asString())
                    .as("the same event id for another user").contains("charged");
            assertThat(app.usageWebhook("evt-shared", now, 7001, a[1], "0.01").json().path("message").asString())
                    .as("the same event id for the same user").contains("duplicate");
            assertThat(balance(app, a[0])).isEqualTo("9");
            assertThat(balance(app, b[0])).isEqualTo("8");

            String topUp = "{\"amount\":\"5\",\"type\":\"RECHARGE\",\"ref\":\"order-1\"}";
            assertThat(app.admin("POST", "/api/users/" + a[0] + "/credits", topUp).status()).isEqualTo(201);
            CreditsApp.Answer other = app.admin("POST", "/api/users/" + b[0] + "/credits", topUp);
            assertThat(other.status()).as("another user's ref: " + other.body()).isEqualTo(201);
            CreditsApp.Answer replay = app.admin("POST", "/api/users/" + a[0] + "/credits", topUp);
            assertThat(replay.status()).as("a replay of the same user's ref: " + replay.body()).isIn(200, 201);
            CreditsApp.Answer conflict = app.admin("POST", "/api/users/" + a[0] + "/credits",
                    "{\"amount\":\"6\",\"type\":\"RECHARGE\",\"ref\":\"order-1\"}");
            assertThat(conflict.status()).as("the same user's ref for another amount").isEqualTo(409);
            assertThat(balance(app, a[0])).isEqualTo("14");
            assertThat(balance(app, b[0])).isEqualTo("13");
        }
    }

    private static String balance(CreditsApp app, String userId) {
        return app.admin("GET", "/api/users/" + userId, null).json().get("data").get("balance").decimalValue()
                .stripTrailingZeros().toPlainString();
    }
}
