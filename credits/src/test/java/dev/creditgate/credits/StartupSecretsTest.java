package dev.creditgate.credits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import dev.creditgate.credits.CreditsProperties.Gateway;
import dev.creditgate.credits.CreditsProperties.Holds;
import dev.creditgate.credits.CreditsProperties.Webhook;

/** The service refuses to start without its secrets (32+ characters), naming every bad setting in one message. */
class StartupSecretsTest {

    @Test
    void propertiesNameEveryBadSecret() {
        assertThatThrownBy(() -> new CreditsProperties(null, "tiny-secret-value", "x".repeat(10), "", BigDecimal.valueOf(100),
                null, null, null, null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("credits.admin-token is missing")
                .hasMessageContaining("credits.service-token is shorter than 32 characters")
                .hasMessageContaining("credits.balance-token is shorter than 32 characters")
                .hasMessageContaining("credits.webhook-secret is missing")
                .message().doesNotContain("tiny-secret-value");
    }

    @Test
    void theApplicationDoesNotStart() {
        Throwable failure = null;
        try (CreditsApp app = CreditsApp.start(TestDatabases.h2(), null, java.util.Map.of(
                "credits.admin-token", "", "credits.webhook-secret", "too-short-secret"))) {
            assertThat(app).as("must not start").isNull();
        } catch (Throwable t) {
            failure = t;
        }
        assertThat(failure).isNotNull();
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root.getMessage()).contains("credits.admin-token is missing")
                .contains("credits.webhook-secret is shorter than 32 characters")
                .doesNotContain("credits.service-token").doesNotContain("too-short-secret");
    }

    @Test
    void oneSecretForTwoRolesIsRefused() {
        String same = "same-secret-0123456789-0123456789-0123";
        assertThatThrownBy(() -> new CreditsProperties("a".repeat(32), same, same, same, BigDecimal.valueOf(100),
                null, null, null, null, null))
                .hasMessageContaining("credits.service-token and credits.balance-token must differ")
                .hasMessageContaining("credits.service-token and credits.webhook-secret must differ")
                .message().doesNotContain(same).doesNotContain("credits.admin-token and");
    }

    @Test
    void goodSecretsAreAccepted() {
        CreditsProperties p = new CreditsProperties("a".repeat(32), "s".repeat(32), null, "w".repeat(32),
                BigDecimal.valueOf(100), null, (Gateway) null, (Webhook) null, (Holds) null,
                (CreditsProperties.Leases) null);
        assertThat(p.balanceToken()).isNull();
    }
}
