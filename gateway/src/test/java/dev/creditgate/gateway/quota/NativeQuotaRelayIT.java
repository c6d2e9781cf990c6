package dev.creditgate.gateway.quota;

import static dev.creditgate.gateway.quota.QuotaGateway.FIXED;
import static dev.creditgate.gateway.quota.QuotaGateway.FIXED_PRICE_QUOTA;
import static dev.creditgate.gateway.quota.QuotaGateway.RATIO;
import static dev.creditgate.gateway.quota.QuotaGateway.UNPRICED;
import static dev.creditgate.gateway.quota.QuotaGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.creditgate.gateway.pricing.TokenCounter;
import dev.creditgate.gateway.quota.QuotaGateway.Token;
import dev.creditgate.gateway.support.RunningGateway;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import dev.creditgate.testkit.Fault;
import dev.creditgate.testkit.MockUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Native billing through the real relay (H2): what each kind of answer costs, where the quota goes, and what
 * the log row says. The prices are fixed by {@link QuotaGateway}.
 */
class NativeQuotaRelayIT {

    private static QuotaGateway q;

    @BeforeAll
    static void start() {
        q = new QuotaGateway(TestDatabases.h2());
    }

    @AfterAll
    static void stop() {
        q.close();
    }

    @BeforeEach
    void resetMock() {
        q.mock.reset();
    }

    @Test
    void fixedPriceModelCostsItsPricePerCall() {
        Token t = q.userWithToken(100_000, 50_000, false);

        Answer a = q.call(t, chat(FIXED, 100, false));

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode row = q.consumeRows(t, 1).getFirst(); // written after the settlement
        assertThat(q.userQuota(t)).isEqualTo(100_000 - FIXED_PRICE_QUOTA);
        assertThat(q.tokenRemain(t)).isEqualTo(50_000 - FIXED_PRICE_QUOTA);
        assertThat(row.path("quota").asLong()).isEqualTo(FIXED_PRICE_QUOTA);
        assertThat(row.path("model_name").asString()).isEqualTo(FIXED);
        assertThat(row.path("is_stream").asBoolean()).isFalse();
        q.awaitUsedQuota(t, FIXED_PRICE_QUOTA);
    }

    @Test
    void settlementBelowTheEstimateGivesTheRestBack() {
        Token t = q.userWithToken(100_000, 50_000, false);
        q.mock.usage(12, 5);

        Answer a = q.call(t, chat(RATIO, 100, false)); // estimate (500 + 100) x 1 = 600

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        long actual = 12 + 5 * 4;
        JsonNode row = q.consumeRows(t, 1).getFirst();
        assertThat(q.userQuota(t)).isEqualTo(100_000 - actual);
        assertThat(q.tokenRemain(t)).isEqualTo(50_000 - actual);
        assertThat(row.path("quota").asLong()).isEqualTo(actual);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(5);
        q.awaitUsedQuota(t, actual);
    }

    @Test
    void settlementAboveTheEstimateChargesTheOverageAsDebtThatBlocksTheNextCall() {
        Token t = q.userWithToken(1_000, 50_000, false);
        q.mock.usage(2_000, 1_000);

        Answer a = q.call(t, chat(RATIO, 10, false)); // estimate (500 + 10) x 1 = 510 <= 1000: admitted

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        long actual = 2_000 + 1_000 * 4;
        assertThat(q.consumeRows(t, 1).getFirst().path("quota").asLong()).isEqualTo(actual);
        assertThat(q.userQuota(t)).isEqualTo(1_000 - actual);
        assertThat(q.tokenRemain(t)).isEqualTo(50_000 - actual);
        q.awaitUsedQuota(t, actual);

        Answer next = q.call(t, chat(RATIO, 10, false));
        assertThat(next.status()).isEqualTo(403);
        assertThat(next.json().path("error").path("code").asString()).isEqualTo("insufficient_user_quota");
        assertThat(next.json().path("error").path("message").asString())
                .contains("remaining: " + (1_000 - actual)).contains("need: 510");
    }

    @Test
    void upstreamErrorRefundsTheWholeReservation() {
        Token t = q.userWithToken(100_000, 50_000, false);
        q.mock.failNext(1, 500);

        Answer a = q.call(t, chat(RATIO, 100, false));

        assertThat(a.status()).isEqualTo(500);
        assertThat(q.mock.calls()).isEqualTo(1);
        assertThat(q.errorRows(t, 1).getFirst().path("quota").asLong()).isZero();
        // the refund runs when the relay closes the admission, just after the answer: poll for it
        q.awaitUserQuota(t, 100_000);
        assertThat(q.tokenRemain(t)).isEqualTo(50_000);
        // and the next call is billed normally
        assertThat(q.call(t, chat(FIXED, null, false)).status()).isEqualTo(200);
        assertThat(q.consumeRows(t, 1).getFirst().path("quota").asLong()).isEqualTo(FIXED_PRICE_QUOTA);
        assertThat(q.userQuota(t)).isEqualTo(100_000 - FIXED_PRICE_QUOTA);
    }

    @Test
    void streamWithoutUsageIsChargedFromTheRelayedText() {
        Token t = q.userWithToken(100_000, 50_000, false);
        q.mock.fault(Fault.NONE.withoutUsage());
        String body = chat(RATIO, 100, true);

        Answer a = q.call(t, body);

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.body()).contains("[DONE]").doesNotContain("\"usage\":{");
        TokenCounter counter = TokenCounter.shared();
        int prompt = counter.countChatCompletion(RATIO, (ObjectNode) RunningGateway.JSON.readTree(body));
        int completion = counter.countText(RATIO, MockUpstream.DEFAULT_TEXT);
        long expected = prompt + completion * 4L;
        assertThat(completion).isPositive();
        JsonNode row = q.consumeRows(t, 1).getFirst();
        assertThat(q.userQuota(t)).isEqualTo(100_000 - expected);
        assertThat(row.path("quota").asLong()).isEqualTo(expected);
        assertThat(row.path("prompt_tokens").asInt()).isEqualTo(prompt);
        assertThat(row.path("completion_tokens").asInt()).isEqualTo(completion);
        assertThat(row.path("is_stream").asBoolean()).isTrue();
        q.awaitUsedQuota(t, expected);
    }

    @Test
    void streamWithUsageIsChargedFromTheUsageChunk() {
        Token t = q.userWithToken(100_000, 50_000, false);
        q.mock.usage(40, 7);

        Answer a = q.call(t, chat(RATIO, 100, true));

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(q.consumeRows(t, 1).getFirst().path("quota").asLong()).isEqualTo(40 + 7 * 4);
        assertThat(q.userQuota(t)).isEqualTo(100_000 - (40 + 7 * 4));
    }

    @Test
    void clientDisconnectMidStreamIsChargedForWhatWasDelivered() throws Exception {
        Token t = q.userWithToken(100_000, 50_000, false);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            words.add(i == 0 ? "word" : " word");
        }
        q.mock.replyChunks(words).chunkDelay(Duration.ofMillis(10));
        int maxTokens = 1_000; // estimate (500 + 1000) x 1 = 1500; the whole answer would cost ~ prompt + 1200

        readEventsThenHangUp(t, chat(RATIO, maxTokens, true), 5);

        JsonNode row = q.consumeRows(t, 1).getFirst();
        long charged = row.path("quota").asLong();
        assertThat(row.path("content").asString()).contains("client disconnected");
        assertThat(charged).isPositive().isLessThan(500 + maxTokens);
        assertThat(row.path("completion_tokens").asInt()).isPositive().isLessThan(300);
        assertThat(q.userQuota(t)).isEqualTo(100_000 - charged);
        assertThat(q.tokenRemain(t)).isEqualTo(50_000 - charged);
        q.awaitUsedQuota(t, charged);
    }

    @Test
    void userShortIsRefusedWith403NamingRemainingAndNeed() {
        Token t = q.userWithToken(100, 50_000, false);

        Answer a = q.call(t, chat(FIXED, null, false));

        assertThat(a.status()).isEqualTo(403);
        JsonNode error = a.json().path("error");
        assertThat(error.path("code").asString()).isEqualTo("insufficient_user_quota");
        assertThat(error.path("message").asString()).startsWith("user quota insufficient, remaining: 100, need: 5000");
        assertThat(q.mock.calls()).isZero();
        assertThat(q.userQuota(t)).isEqualTo(100);
        assertThat(q.tokenRemain(t)).isEqualTo(50_000);
    }

    @Test
    void tokenShortIsRefusedWith403NamingRemainingAndNeed() {
        Token t = q.userWithToken(100_000, 100, false);

        Answer a = q.call(t, chat(FIXED, null, false));

        assertThat(a.status()).isEqualTo(403);
        JsonNode error = a.json().path("error");
        assertThat(error.path("code").asString()).isEqualTo("pre_consume_token_quota_failed");
        assertThat(error.path("message").asString()).startsWith("token quota insufficient, remaining: 100, need: 5000");
        assertThat(q.mock.calls()).isZero();
        assertThat(q.userQuota(t)).isEqualTo(100_000);
        assertThat(q.tokenRemain(t)).isEqualTo(100);
    }

    @Test
    void unlimitedTokenIsBoundedByItsUser() {
        Token t = q.userWithToken(FIXED_PRICE_QUOTA, 0, true);

        assertThat(q.call(t, chat(FIXED, null, false)).status()).isEqualTo(200);
        assertThat(q.call(t, chat(FIXED, null, false)).status()).isEqualTo(403);
        assertThat(q.consumeRows(t, 1).getFirst().path("quota").asLong()).isEqualTo(FIXED_PRICE_QUOTA);
        assertThat(q.userQuota(t)).isZero();
        assertThat(q.mock.calls()).isEqualTo(1);
    }

    @Test
    void unpricedModelIs400AndCostsNothing() {
        Token t = q.userWithToken(100_000, 50_000, false);

        Answer a = q.call(t, chat(UNPRICED, null, false));

        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("code").asString()).isEqualTo("model_price_error");
        assertThat(a.json().path("error").path("message").asString()).contains(UNPRICED);
        assertThat(q.mock.calls()).isZero();
        assertThat(q.userQuota(t)).isEqualTo(100_000);
    }

    /** A raw HTTP/1.1 client that reads {@code events} SSE data lines and then closes its socket. */
    private static void readEventsThenHangUp(Token t, String body, int events) throws Exception {
        URI uri = URI.create(q.gw.baseUrl());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + t.bearer()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int seen = 0;
            String line;
            while (seen < events && (line = in.readLine()) != null) {
                if (line.contains("data: {")) {
                    seen++;
                }
            }
            assertThat(seen).isEqualTo(events);
        }
    }
}
