package dev.creditgate.gateway.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The gateway admin token check, shared by the management API ({@code Authorization: Bearer}) and the console's
 * login form. Constant time: both sides are hashed first, so not even the length leaks.
 */
public final class AdminToken {

    private final byte[] expectedDigest;

    public AdminToken(String adminToken) {
        this.expectedDigest = sha256(adminToken);
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
