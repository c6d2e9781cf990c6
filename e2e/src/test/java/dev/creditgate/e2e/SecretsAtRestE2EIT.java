package dev.creditgate.e2e;

import static dev.creditgate.e2e.Http.bearer;
import static dev.creditgate.e2e.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.creditgate.demo.SystemLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 11: a realistic run of the whole system (gateway + credit platform + mock upstream, H2 file databases in a
 * temporary folder, both apps logging to a file there at DEBUG for this project's packages) creates keys of every
 * kind, channels with upstream keys and secret options, relays through them (plain and streamed, native and credit
 * platform keys, usage webhooks), changes some, restarts the gateway, stops, and then reads every byte of every file
 * it left: no key or secret it created may appear, neither as it is nor in base64.
 */
class SecretsAtRestE2EIT {

    @TempDir
    Path dir;

    @Test
    void noKeyOrSecretIsInTheDatabaseFilesOrTheLogs() throws IOException {
        Path logFile = dir.resolve("logs/system.log");
        String secretKey = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().substring(0, 32)
                .getBytes(StandardCharsets.US_ASCII));
        SystemLauncher.Config base = SystemLauncher.Config.inMemory("unused");
        // One JVM holds both apps and Logback is per JVM: both write to the same file.
        Map<String, String> logging = Map.of("logging.file.name", logFile.toString(),
                "logging.level.dev.creditgate", "DEBUG", "logging.level.root", "INFO");
        Map<String, String> gatewayProps = new LinkedHashMap<>(logging);
        gatewayProps.put("gateway.secret-key", secretKey);
        gatewayProps.put("gateway.logs.flush-interval", "50ms");
        SystemLauncher.Config config = new SystemLauncher.Config(base.host(), 0, 0, 0,
                "jdbc:h2:file:" + dir.resolve("gateway") + ";MODE=LEGACY;AUTO_SERVER=FALSE",
                "jdbc:h2:file:" + dir.resolve("credits") + ";AUTO_SERVER=FALSE",
                base.gatewayAdminToken(), base.creditsAdminToken(), base.creditsServiceToken(), base.webhookSecret(),
                false, Map.of(), gatewayProps, logging);

        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("gateway admin token", config.gatewayAdminToken());
        secrets.put("credits admin token", config.creditsAdminToken());
        secrets.put("credits service token = letaicode_admin_token", config.creditsServiceToken());
        secrets.put("webhook secret = letaicode_webhook_secret", config.webhookSecret());
        secrets.put("gateway.secret-key", secretKey);
        String upstreamKey = "sk-upstream-" + UUID.randomUUID();
        String changedUpstreamKey = "sk-upstream-changed-" + UUID.randomUUID();
        secrets.put("channel key", upstreamKey);
        secrets.put("channel key after PUT", changedUpstreamKey);
        String importedKey = "imported" + UUID.randomUUID().toString().replace("-", "");
        secrets.put("imported native key", importedKey);
        String extraSecretOption = "extra-option-secret-" + UUID.randomUUID();
        secrets.put("another secret option", extraSecretOption);
        String userName = "atrest-" + UUID.randomUUID().toString().substring(0, 8);

        try (SystemLauncher system = SystemLauncher.start(config)) {
            system.upstream().apiKey(upstreamKey);
            Gw gw = new Gw(system);
            JsonNode channel = gw.call("POST", "/api/channel/", "{\"name\":\"mock\",\"type\":\"openai\",\"base_url\":\""
                    + system.upstreamUrl() + "\",\"key\":\"" + upstreamKey + "\",\"models\":\"gpt-4o-mini\"}").data();
            gw.call("PUT", "/api/option/", "{\"key\":\"ModelPrice\",\"value\":\"{\\\"gpt-4o-mini\\\":0.001}\"}");
            gw.call("PUT", "/api/option/", "{\"key\":\"some_other_secret\",\"value\":\"" + extraSecretOption + "\"}");

            // Native: a user, a generated key and an imported one.
            long userId = gw.call("POST", "/api/user/", "{\"username\":\"" + userName + "\",\"quota\":100000000}")
                    .data().path("id").asLong();
            String generated = gw.call("POST", "/api/token/", "{\"name\":\"native\",\"user_id\":" + userId
                    + ",\"unlimited_quota\":true}").data().path("key").asString();
            secrets.put("generated native key", generated.substring(3));
            gw.call("POST", "/api/token/", "{\"name\":\"imported\",\"user_id\":" + userId + ",\"key\":\"sk-"
                    + importedKey + "\",\"unlimited_quota\":true}");

            // Credit platform: a user with credits and two keys (created in the gateway with their full key).
            Http.Response user = credits(system, "POST", "/api/users", "{\"email\":\"" + userName
                    + "@e2e.test\",\"name\":\"at rest\"}");
            String creditsUser = user.data().path("id").asString();
            credits(system, "POST", "/api/users/" + creditsUser + "/credits",
                    "{\"amount\":100,\"type\":\"BONUS\",\"desc\":\"grant\",\"ref\":\"atrest-" + creditsUser + "\"}");
            List<String> platformKeys = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String key = credits(system, "POST", "/api/keys", "{\"userId\":\"" + creditsUser
                        + "\",\"label\":\"at rest " + i + "\"}").data().path("key").asString();
                platformKeys.add(key);
                secrets.put("credit platform key " + i, key.substring(3));
            }

            // Traffic through every key, plain and streamed; a wrong key too.
            for (String key : List.of(generated, "sk-" + importedKey, platformKeys.get(0), platformKeys.get(1))) {
                for (boolean stream : List.of(false, true)) {
                    Http.Response r = send("POST", system.gatewayUrl() + "/v1/chat/completions",
                            "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream
                                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                            "Authorization", bearer(key));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                }
            }
            assertThat(send("GET", system.gatewayUrl() + "/v1/models", null, "Authorization",
                    bearer(generated + "x")).status()).isEqualTo(401);

            // Changes: the channel's key, a platform key disabled and one deleted.
            system.upstream().apiKey(changedUpstreamKey);
            gw.call("PUT", "/api/channel/", "{\"id\":" + channel.path("id").asLong() + ",\"key\":\""
                    + changedUpstreamKey + "\"}");
            Http.Response after = send("POST", system.gatewayUrl() + "/v1/chat/completions",
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}",
                    "Authorization", bearer(generated));
            assertThat(after.status()).as(after.body()).isEqualTo(200);

            // A restart opens what was sealed (same key) and the keys still work.
            system.stopGateway();
            system.startGateway();
            Http.Response restarted = send("POST", system.gatewayUrl() + "/v1/chat/completions",
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"restarted\"}]}",
                    "Authorization", bearer(platformKeys.get(1)));
            assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);

            // Usage of the platform keys reaches the platform (webhooks signed with the secret) before the stop.
            Http.Response ledger = credits(system, "GET", "/api/users/" + creditsUser, null);
            assertThat(ledger.body()).contains(creditsUser);
        }

        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files.stream().map(p -> dir.relativize(p).toString()))
                .contains("gateway.mv.db", "credits.mv.db", "logs/system.log");
        StringBuilder found = new StringBuilder();
        long bytes = 0;
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            bytes += content.length;
            String text = new String(content, StandardCharsets.ISO_8859_1); // one char per byte: a byte search
            secrets.forEach((what, secret) -> {
                for (String form : forms(secret)) {
                    if (text.contains(form)) {
                        found.append(what).append(" in ").append(dir.relativize(file)).append(form.equals(secret)
                                ? "" : " (encoded)").append('\n');
                    }
                }
            });
        }
        assertThat(found).as("secrets found in %d files (%d bytes)", files.size(), bytes).isEmpty();
        // The search can find things: what is meant to be stored in plain text is there.
        String gatewayDb = Files.readString(dir.resolve("gateway.mv.db"), StandardCharsets.ISO_8859_1);
        String log = Files.readString(logFile, StandardCharsets.ISO_8859_1);
        assertThat(gatewayDb).contains(userName).contains("enc:v1:");
        assertThat(Files.readString(dir.resolve("credits.mv.db"), StandardCharsets.ISO_8859_1)).contains(userName);
        // both apps logged there (their databases' start), and the relay's DEBUG lines too
        assertThat(log).contains("url=jdbc:h2:file:" + dir.resolve("gateway"))
                .contains("url=jdbc:h2:file:" + dir.resolve("credits")).contains(" DEBUG ");
        assertThat(bytes).isPositive();
    }

    /** The secret as it is, in base64 (standard and URL-safe, with and without padding), and in UTF-16. */
    private static List<String> forms(String secret) {
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        String b64 = Base64.getEncoder().encodeToString(raw);
        String b64url = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String utf16 = new String(secret.getBytes(StandardCharsets.UTF_16BE), StandardCharsets.ISO_8859_1);
        String utf16le = new String(secret.getBytes(StandardCharsets.UTF_16LE), StandardCharsets.ISO_8859_1);
        return List.of(secret, b64, b64.replace("=", ""), b64url, utf16, utf16le);
    }

    private static Http.Response credits(SystemLauncher system, String method, String path, String body) {
        Http.Response r = send(method, system.creditsUrl() + path, body,
                "Authorization", bearer(system.config().creditsAdminToken()));
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isBetween(200, 201);
        return r;
    }

    private record Gw(SystemLauncher system) {
        Http.Response call(String method, String path, String body) {
            Http.Response r = send(method, system.gatewayUrl() + path, body,
                    "Authorization", bearer(system.config().gatewayAdminToken()));
            assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
            return r;
        }
    }
}
