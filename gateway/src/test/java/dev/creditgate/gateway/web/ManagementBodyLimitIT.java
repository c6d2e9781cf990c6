package dev.creditgate.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.TestDatabases;

/**
 * Security review finding 2: an unauthenticated PUT with a form content type was read whole into memory (Spring's
 * form-content filter) before the admin check. The filter is off, and every management body is bounded before
 * anything reads it.
 */
class ManagementBodyLimitIT {

    static RunningGateway gateway;

    @BeforeAll
    static void start() {
        gateway = RunningGateway.start(TestDatabases.h2(), "gateway.max-management-body-size=64KB");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void springsFormContentFilterIsOff() {
        assertThat(gateway.context().containsBean("formContentFilter")).isFalse();
    }

    @Test
    void aHugeDeclaredFormBodyIsRefusedAtOnceWithoutBeingRead() throws Exception {
        Instant start = Instant.now();
        String answer = raw("PUT /api/option/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 300000000\r\n\r\n" + "a=1&".repeat(1000));
        assertThat(answer).startsWith("HTTP/1.1 413").contains("larger than 65536 bytes");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aChunkedManagementBodyNeedsALength() throws Exception {
        String answer = raw("POST /api/token/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Authorization: Bearer " + RunningGateway.ADMIN_TOKEN + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\na=1&\r\n0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 411");
    }

    @Test
    void bodiesUnderTheLimitStillWorkAndOverItAreRefusedForAdminsToo() {
        assertThat(gateway.admin("PUT", "/api/option/", "{\"key\":\"letaicode_credit_mode\",\"value\":\"check\"}").status())
                .isEqualTo(200);
        String big = "{\"key\":\"letaicode_credit_mode\",\"value\":\"" + "x".repeat(70_000) + "\"}";
        RunningGateway.Answer refused = gateway.admin("PUT", "/api/option/", big);
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.json().path("success").asBoolean(true)).isFalse();
        assertThat(gateway.admin("GET", "/api/option/", null).body()).doesNotContain("xxxxxxxxxx");
    }

    @Test
    void theRelayRoutesKeepTheirOwnLargerLimit() {
        String body = "{\"model\":\"none\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "y".repeat(100_000) + "\"}]}";
        RunningGateway.Answer answer = gateway.call("POST", "/v1/chat/completions", body, "Bearer sk-unknown");
        assertThat(answer.status()).isEqualTo(401);
    }

    private static String raw(String request) throws Exception {
        String host = gateway.baseUrl().replace("http://", "");
        int colon = host.indexOf(':');
        try (Socket socket = new Socket(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1)))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
        }
    }
}
