package dev.creditgate.gateway.faults;

import static dev.creditgate.gateway.support.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.MockUpstream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A whole run of a gateway on an H2 file database with a log file: a channel key, a token key and the secret options
 * are created and used; afterwards no file of the database or the log, and no management answer, holds any of them
 * in full (issue 11: "a test that greps the database files and logs of a full run for every key and secret").
 */
class SecretsAtRestIT {

    @Test
    @Disabled("needs keys at rest (hashed token keys, encrypted channel keys and secret options: another engineer);"
            + " today the H2 file holds the token key, the channel key and both secret options in clear")
    void noKeyOrSecretIsStoredOrLoggedInFull() throws IOException {
        Path dir = Files.createTempDirectory("cg-secrets");
        String channelKey = "sk-upstream-" + UUID.randomUUID();
        String adminToken = "platform-token-" + UUID.randomUUID();
        String webhookSecret = "webhook-secret-" + UUID.randomUUID();
        String tokenKey;
        try (MockUpstream mock = MockUpstream.start()) {
            RunningGateway gw = RunningGateway.start(new TestDatabases.Db("jdbc:h2:file:" + dir.resolve("gateway")
                            + ";MODE=LEGACY", "sa", "", () -> { }),
                    "logging.file.name=" + dir.resolve("gateway.log"), "logging.level.dev.creditgate=DEBUG");
            try {
                assertThat(gw.admin("POST", "/api/channel/", json("name", "m", "type", "openai", "base_url",
                        mock.baseUrl(), "key", channelKey, "models", "gpt-4o-mini")).status()).isEqualTo(200);
                assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_admin_token", "value", adminToken))
                        .status()).isEqualTo(200);
                assertThat(gw.admin("PUT", "/api/option/", json("key", "letaicode_webhook_secret", "value", webhookSecret))
                        .status()).isEqualTo(200);
                long user = gw.admin("POST", "/api/user/", json("username", "s", "quota", 1_000_000)).data().path("id").asLong();
                tokenKey = gw.admin("POST", "/api/token/", json("name", "t", "user_id", user, "remain_quota", 100_000))
                        .data().path("key").asString();
                gw.context().getBean(dev.creditgate.gateway.channel.ChannelSelector.class).refresh();
                assertThat(gw.call("POST", "/v1/chat/completions", json("model", "gpt-4o-mini", "messages",
                        List.of(Map.of("role", "user", "content", "hi"))), "Bearer " + tokenKey).status()).isEqualTo(200);
                gw.call("POST", "/v1/chat/completions", "{}", "Bearer " + tokenKey + "0"); // a failed look-up
                for (String path : List.of("/api/option/", "/api/channel/", "/api/token/", "/api/log/")) {
                    String body = gw.admin("GET", path, null).body();
                    for (String secret : List.of(channelKey, adminToken, webhookSecret, tokenKey.substring(3))) {
                        assertThat(body).as(path + " shows a secret").doesNotContain(secret);
                    }
                }
            } finally {
                gw.close(); // H2 writes its pages, the log is flushed
            }
        }
        List<String> found = new ArrayList<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String secret : List.of(channelKey, adminToken, webhookSecret, tokenKey.substring(3))) {
                    if (content.contains(secret)) {
                        found.add(dir.relativize(f) + " holds " + secret.substring(0, 8) + "...");
                    }
                }
            }
        }
        assertThat(found).as("files of the run holding a key or secret in full").isEmpty();
    }
}
