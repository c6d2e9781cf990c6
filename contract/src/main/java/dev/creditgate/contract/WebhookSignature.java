package dev.creditgate.contract;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Usage webhook signatures (SPEC 4.2).
 *
 * <ul>
 *   <li>v1, LetAiCode's: {@code x-webhook-signature: hex(HMAC-SHA256(secret, body))};</li>
 *   <li>v2, timestamped: {@code x-webhook-timestamp: <unix s>} and
 *       {@code x-webhook-signature-v2: t=<unix s>,v1=hex(HMAC-SHA256(secret, t + "." + body))}.</li>
 * </ul>
 * Comparisons are constant-time ({@link MessageDigest#isEqual}).
 */
public final class WebhookSignature {

    public static final String HEADER_V1 = "x-webhook-signature";
    public static final String HEADER_TIMESTAMP = "x-webhook-timestamp";
    public static final String HEADER_V2 = "x-webhook-signature-v2";
    /** Default replay window for v2 signatures. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);

    private static final HexFormat HEX = HexFormat.of();

    private WebhookSignature() {
    }

    /** {@code hex(HMAC-SHA256(secret, body))}, lower case. */
    public static String v1(String secret, byte[] body) {
        return HEX.formatHex(hmac(secret, body));
    }

    /** The value of {@link #HEADER_V2}: {@code t=<unixSeconds>,v1=hex(HMAC-SHA256(secret, t + "." + body))}. */
    public static String v2Header(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + HEX.formatHex(hmac(secret, v2Payload(unixSeconds, body)));
    }

    /** True when {@code signatureHex} is the v1 signature of the body (constant-time; case-insensitive hex). */
    public static boolean verifyV1(String secret, byte[] body, String signatureHex) {
        byte[] given = parseHex(signatureHex);
        return given != null && MessageDigest.isEqual(hmac(secret, body), given);
    }

    /** Outcome of a v2 check. */
    public enum V2Result {
        VALID,
        /** header absent, unparsable, or disagreeing with {@link #HEADER_TIMESTAMP} */
        MALFORMED,
        /** timestamp outside the tolerance window (replay or clock skew) */
        STALE,
        /** signature does not match */
        MISMATCH
    }

    /**
     * Verifies a v2 header.
     *
     * @param v2Header        value of {@link #HEADER_V2}
     * @param timestampHeader value of {@link #HEADER_TIMESTAMP}, or null; when present it must equal {@code t}
     * @param nowUnixSeconds  the receiver's clock
     * @param tolerance       accepted distance between {@code t} and now, either way
     */
    public static V2Result verifyV2(String secret, byte[] body, String v2Header, String timestampHeader,
                                    long nowUnixSeconds, Duration tolerance) {
        if (v2Header == null) {
            return V2Result.MALFORMED;
        }
        Long t = null;
        byte[] sig = null;
        for (String part : v2Header.split(",")) {
            String p = part.trim();
            if (p.startsWith("t=") && t == null) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return V2Result.MALFORMED;
                }
            } else if (p.startsWith("v1=") && sig == null) {
                sig = parseHex(p.substring(3));
                if (sig == null) {
                    return V2Result.MALFORMED;
                }
            }
        }
        if (t == null || sig == null) {
            return V2Result.MALFORMED;
        }
        if (timestampHeader != null && !timestampHeader.trim().equals(Long.toString(t))) {
            return V2Result.MALFORMED;
        }
        if (Math.abs(nowUnixSeconds - t) > tolerance.toSeconds()) {
            return V2Result.STALE;
        }
        return MessageDigest.isEqual(hmac(secret, v2Payload(t, body)), sig) ? V2Result.VALID : V2Result.MISMATCH;
    }

    private static byte[] v2Payload(long t, byte[] body) {
        byte[] prefix = (t + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, payload, 0, prefix.length);
        System.arraycopy(body, 0, payload, prefix.length, body.length);
        return payload;
    }

    private static byte[] parseHex(String hex) {
        if (hex == null) {
            return null;
        }
        String h = hex.trim();
        if (h.length() != 64) {
            return null;
        }
        try {
            return HEX.parseHex(h.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] hmac(String secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
