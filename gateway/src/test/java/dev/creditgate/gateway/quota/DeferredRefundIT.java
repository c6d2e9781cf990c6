package dev.creditgate.gateway.quota;

import static dev.creditgate.gateway.quota.QuotaGateway.RATIO;
import static dev.creditgate.gateway.quota.QuotaGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.creditgate.gateway.quota.QuotaGateway.Token;
import dev.creditgate.gateway.support.RunningGateway.Answer;
import dev.creditgate.gateway.support.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Refunds ride with the log rows (QuotaStore, LogWriter): with a flush interval far longer than the test, a refund
 * is written only when a refused reservation asks for it, and a charge above the reservation is written at once.
 */
class DeferredRefundIT {

    private static QuotaGateway q;

    @BeforeAll
    static void start() {
        q = new QuotaGateway(TestDatabases.h2(), "gateway.logs.flush-interval=60s");
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
    void aReservationThatOnlyAPendingRefundMakesRoomForIsAdmitted() {
        Token t = q.userWithToken(1_000, 50_000, false);
        q.mock.usage(12, 5); // costs 12 + 5 x 4 = 32 of a 600 reservation

        assertThat(q.call(t, chat(RATIO, 100, false)).status()).isEqualTo(200);
        assertThat(q.userQuota(t)).as("the refund of 568 waits for the next batch").isEqualTo(400);

        Answer second = q.call(t, chat(RATIO, 100, false)); // needs 600: only after the refund

        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(q.consumeRows(t, 1).getFirst().path("quota").asLong()).as("written with the refund").isEqualTo(32);
        assertThat(q.userQuota(t)).isEqualTo(1_000 - 32 - 600); // the second's refund is pending in turn
        assertThat(q.tokenRemain(t)).isEqualTo(50_000 - 32 - 600);
    }

    @Test
    void aRefusalAfterThePendingRefundsNamesTheRealRemaining() {
        Token t = q.userWithToken(700, 50_000, false);
        q.mock.usage(12, 5);

        assertThat(q.call(t, chat(RATIO, 100, false)).status()).isEqualTo(200); // 700 - 600, refund 568 pending
        Answer second = q.call(t, chat(RATIO, 1_000, false)); // needs 1,500

        assertThat(second.status()).isEqualTo(403);
        assertThat(second.json().path("error").path("message").asString()).contains("remaining: " + (700 - 32));
        assertThat(q.mock.calls()).isEqualTo(1);
    }

    @Test
    void debtIsWrittenAtOnceAndRefusesTheNextCall() {
        Token t = q.userWithToken(1_000, 50_000, false);
        q.mock.usage(2_000, 1_000); // 6,000 of a 510 reservation

        assertThat(q.call(t, chat(RATIO, 10, false)).status()).isEqualTo(200);
        Answer next = q.call(t, chat(RATIO, 10, false));

        assertThat(next.status()).isEqualTo(403);
        assertThat(next.json().path("error").path("message").asString()).contains("remaining: " + (1_000 - 6_000));
    }
}
