package dev.creditgate.gateway.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the gateway keeps of a token key: the lower-case hex SHA-256 of the key without {@code sk-} (the same digest
 * the credit platform stores for its keys) and the masked form that answers show ({@code sk-abcd****wxyz}). The full
 * key exists only in the request that presents it and in the answer that created it.
 *
 * <p>No pepper: keys are 48 random characters (imported ones 16..64), so a leaked digest cannot be reversed by
 * guessing, and a plain digest lets every instance and the migration in SQL compute the same value.
 */
final class TokenKeys {

    private TokenKeys() {}

    static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code sk-} + the first 4 and the last 4 characters, the rest as {@code *} (at least 4); short keys {@code sk-****}. */
    static String mask(String key) {
        if (key.length() <= 8) {
            return "sk-****";
        }
        return "sk-" + key.substring(0, 4) + "*".repeat(Math.max(4, key.length() - 8)) + key.substring(key.length() - 4);
    }

    /** Constant-time comparison of two digests. */
    static boolean sameHash(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
