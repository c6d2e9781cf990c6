package dev.creditgate.gateway.secret;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The key that encrypts the gateway's secrets at rest (upstream channel keys and secret options).
 *
 * @param secretKey          {@code gateway.secret-key} (env {@code GATEWAY_SECRET_KEY}): base64 of 32 random bytes
 *                           ({@code openssl rand -base64 32}); required, the gateway refuses to start without it
 * @param previousSecretKeys {@code gateway.previous-secret-keys} (env {@code GATEWAY_PREVIOUS_SECRET_KEYS}, comma
 *                           separated): older keys, only read; what they sealed is sealed again with
 *                           {@code secret-key} at start (rotation)
 */
@ConfigurationProperties("gateway")
record SecretKeyProperties(String secretKey, @DefaultValue List<String> previousSecretKeys) {

    @Override
    public String toString() {
        return "SecretKeyProperties[secretKey=****, previousSecretKeys=" + previousSecretKeys.size() + " keys]";
    }
}
