package dev.creditgate.gateway.secret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Encrypts the gateway's secrets at rest with AES-256-GCM under {@code gateway.secret-key}. A sealed value reads
 * {@code enc:v1:<key id>:<base64(12-byte nonce + ciphertext + tag)>}; the key id is the first 4 bytes of the key's
 * SHA-256 in hex, so a value sealed by a previous key ({@code gateway.previous-secret-keys}) is still opened and
 * can be sealed again. The context (e.g. {@code option:letaicode_admin_token}) is authenticated data: a sealed value
 * copied to another field does not open there.
 *
 * <p>A value without the prefix is a plaintext left from before encryption: {@link #open} returns it as it is, and
 * {@link SecretsAtRest} seals every such value at start.
 */
@Component
@EnableConfigurationProperties(SecretKeyProperties.class)
public class SecretBox {

    static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final String currentId;
    private final Map<String, SecretKey> keys = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    SecretBox(SecretKeyProperties properties) {
        if (properties.secretKey() == null || properties.secretKey().isBlank()) {
            throw new IllegalArgumentException("gateway.secret-key (env GATEWAY_SECRET_KEY) is not set: the gateway"
                    + " refuses to start without the key that encrypts upstream keys and secret options at rest"
                    + " (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
        }
        SecretKey current = key("gateway.secret-key", properties.secretKey());
        this.currentId = id(current);
        keys.put(currentId, current);
        List<String> previous = properties.previousSecretKeys();
        for (int i = 0; i < previous.size(); i++) {
            if (!previous.get(i).isBlank()) {
                SecretKey k = key("gateway.previous-secret-keys[" + i + "]", previous.get(i));
                keys.putIfAbsent(id(k), k);
            }
        }
    }

    /** {@code plain} sealed with the current key, bound to {@code context}. */
    public String seal(String plain, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return PREFIX + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * The plaintext of a stored value (a value without the {@code enc:v1:} prefix is returned as it is).
     *
     * @throws IllegalStateException when the value was sealed by an unknown key, for another context, or altered
     */
    public String open(String stored, String context) {
        return open(stored, context, context);
    }

    /** {@link #open(String, String)} naming the field as {@code where} in its errors. */
    String open(String stored, String where, String context) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        int colon = stored.indexOf(':', PREFIX.length());
        String id = colon < 0 ? "" : stored.substring(PREFIX.length(), colon);
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new IllegalStateException("the secret in " + where + " was sealed with key id " + id
                    + ", which is neither gateway.secret-key (" + currentId + ") nor in gateway.previous-secret-keys");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(colon + 1));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the secret in " + where + " does not open with key id " + id
                    + " (altered, or sealed for another field)");
        }
    }

    String currentKeyId() {
        return currentId;
    }

    /** Whether a stored value is sealed with the current key (else {@link SecretsAtRest} seals it again). */
    boolean sealedWithCurrentKey(String stored) {
        return stored != null && stored.startsWith(PREFIX + currentId + ":");
    }

    /** The options that are secrets (encrypted at rest, masked in answers): any key containing token or secret. */
    public static boolean isSecretOption(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("token") || k.contains("secret");
    }

    /** The context of a secret option's value. */
    public static String optionContext(String key) {
        return "option:" + key;
    }

    /** The context of a channel's upstream key. */
    public static final String CHANNEL_KEY = "channel:api_key";

    private static SecretKey key(String name, String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not base64 (expected: base64 of 32 random bytes,"
                    + " e.g. `openssl rand -base64 32`)");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(name + " decodes to " + raw.length + " bytes (expected: 32, e.g."
                    + " `openssl rand -base64 32`)");
        }
        return new SecretKeySpec(raw, "AES");
    }

    private static String id(SecretKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
