package dev.creditgate.demo;

import java.security.SecureRandom;

/** Random secrets for a demo session: a prefix and 40 URL-safe characters (48 bits per 8 chars, 240 bits). */
final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Secrets() {}

    static String token(String prefix) {
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < 40; i++) {
            b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return b.toString();
    }

    /** A fresh {@code gateway.secret-key}: base64 of 32 random bytes (an AES-256 key). */
    static String aesKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }
}
