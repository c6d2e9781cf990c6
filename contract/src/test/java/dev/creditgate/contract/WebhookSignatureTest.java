package dev.creditgate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.creditgate.contract.WebhookSignature.V2Result;

class WebhookSignatureTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final byte[] BODY = "{\"eventId\":\"e\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void v1IsHexHmacOfTheBody() {
        // echo -n '{"eventId":"e"}' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
        assertThat(WebhookSignature.v1(SECRET, BODY)).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(WebhookSignature.v1("key", "The quick brown fox jumps over the lazy dog".getBytes()))
                .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        String sig = WebhookSignature.v1(SECRET, BODY);
        assertThat(WebhookSignature.verifyV1(SECRET, BODY, sig)).isTrue();
        assertThat(WebhookSignature.verifyV1(SECRET, BODY, sig.toUpperCase())).isTrue();
        assertThat(WebhookSignature.verifyV1(SECRET + "x", BODY, sig)).isFalse();
        assertThat(WebhookSignature.verifyV1(SECRET, "{}".getBytes(), sig)).isFalse();
        assertThat(WebhookSignature.verifyV1(SECRET, BODY, null)).isFalse();
        assertThat(WebhookSignature.verifyV1(SECRET, BODY, "zz")).isFalse();
    }

    @Test
    void v2BindsTheTimestampAndHasAWindow() {
        long t = 1_734_480_000L;
        String header = WebhookSignature.v2Header(SECRET, t, BODY);
        assertThat(header).startsWith("t=1734480000,v1=");
        Duration tol = Duration.ofSeconds(300);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, header, "1734480000", t + 299, tol)).isEqualTo(V2Result.VALID);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, header, null, t - 300, tol)).isEqualTo(V2Result.VALID);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, header, null, t + 301, tol)).isEqualTo(V2Result.STALE);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, header, "1734480001", t, tol)).isEqualTo(V2Result.MALFORMED);
        assertThat(WebhookSignature.verifyV2(SECRET, "{}".getBytes(), header, null, t, tol)).isEqualTo(V2Result.MISMATCH);
        String shifted = header.replace("t=1734480000", "t=1734480100");
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, shifted, null, t, tol)).isEqualTo(V2Result.MISMATCH);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, "v1=abc", null, t, tol)).isEqualTo(V2Result.MALFORMED);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, "t=x,v1=" + "0".repeat(64), null, t, tol)).isEqualTo(V2Result.MALFORMED);
        assertThat(WebhookSignature.verifyV2(SECRET, BODY, null, null, t, tol)).isEqualTo(V2Result.MALFORMED);
    }
}
