package dev.creditgate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

class QuotaStoreTest {

    private static TestDatabase db;
    private static QuotaRows rows;
    private static QuotaStore store;

    @BeforeAll
    static void start() {
        db = TestDatabase.create(TestDatabase.Vendor.H2);
        db.migrated();
        rows = new QuotaRows(JdbcClient.create(db.dataSource()));
        store = new QuotaStore(JdbcClient.create(db.dataSource()), new DataSourceTransactionManager(db.dataSource()));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @BeforeEach
    void reset() {
        rows.clear();
        rows.user(1, 1_000);
        rows.token(10, 1, 500, false);
        rows.token(11, 1, -1, true);
    }

    @Test
    void reserveDebitsTokenAndUser() {
        ReserveOutcome outcome = store.reserve(10, false, 1, 300);

        assertThat(outcome.status()).isEqualTo(ReserveOutcome.Status.RESERVED);
        assertThat(outcome.reservation()).isEqualTo(new Reservation(10, false, 1, 300));
        assertThat(rows.tokenRemain(10)).isEqualTo(200);
        assertThat(rows.userQuota(1)).isEqualTo(700);
    }

    @Test
    void unlimitedTokenLeavesRemainQuotaAloneButDebitsTheUser() {
        ReserveOutcome outcome = store.reserve(11, true, 1, 300);

        assertThat(outcome.status()).isEqualTo(ReserveOutcome.Status.RESERVED);
        assertThat(rows.tokenRemain(11)).isEqualTo(-1);
        assertThat(rows.userQuota(1)).isEqualTo(700);
    }

    @Test
    void tokenShortChangesNothingAndNamesTheTokenRemaining() {
        ReserveOutcome outcome = store.reserve(10, false, 1, 501);

        assertThat(outcome.status()).isEqualTo(ReserveOutcome.Status.TOKEN_QUOTA_SHORT);
        assertThat(outcome.remaining()).isEqualTo(500);
        assertThat(rows.tokenRemain(10)).isEqualTo(500);
        assertThat(rows.userQuota(1)).isEqualTo(1_000);
    }

    @Test
    void userShortRollsBackTheTokenDebit() {
        rows.setUserQuota(1, 100);

        ReserveOutcome outcome = store.reserve(10, false, 1, 300);

        assertThat(outcome.status()).isEqualTo(ReserveOutcome.Status.USER_QUOTA_SHORT);
        assertThat(outcome.remaining()).isEqualTo(100);
        assertThat(rows.tokenRemain(10)).isEqualTo(500);
        assertThat(rows.userQuota(1)).isEqualTo(100);
    }

    @Test
    void missingUserIsShortWithNothingRemaining() {
        ReserveOutcome outcome = store.reserve(10, false, 99, 1);

        assertThat(outcome.status()).isEqualTo(ReserveOutcome.Status.USER_QUOTA_SHORT);
        assertThat(outcome.remaining()).isZero();
        assertThat(rows.tokenRemain(10)).isEqualTo(500);
    }

    @Test
    void tokenWithoutUserIsBoundedByItsOwnQuotaOnly() {
        rows.token(12, 0, 400, false);

        Reservation r = store.reserve(12, false, QuotaStore.NO_USER, 300).reservation();
        assertThat(store.reserve(12, false, QuotaStore.NO_USER, 101).status())
                .isEqualTo(ReserveOutcome.Status.TOKEN_QUOTA_SHORT);
        store.settle(r, 350);

        assertThat(rows.tokenRemain(12)).isEqualTo(50);
        assertThat(rows.userQuota(1)).isEqualTo(1_000);
    }

    @Test
    void exactBalanceIsEnough() {
        assertThat(store.reserve(10, false, 1, 500).status()).isEqualTo(ReserveOutcome.Status.RESERVED);
        assertThat(store.reserve(10, false, 1, 1).status()).isEqualTo(ReserveOutcome.Status.TOKEN_QUOTA_SHORT);
        assertThat(rows.tokenRemain(10)).isZero();
    }

    @Test
    void settleBelowTheReservationGivesTheDifferenceBack() {
        Reservation r = store.reserve(10, false, 1, 300).reservation();

        store.settle(r, 120);

        assertThat(rows.tokenRemain(10)).isEqualTo(500 - 120);
        assertThat(rows.userQuota(1)).isEqualTo(1_000 - 120);
    }

    @Test
    void settleAtTheReservationChangesNothingMore() {
        Reservation r = store.reserve(10, false, 1, 300).reservation();

        store.settle(r, 300);

        assertThat(rows.tokenRemain(10)).isEqualTo(200);
        assertThat(rows.userQuota(1)).isEqualTo(700);
    }

    @Test
    void settleAboveTheReservationChargesTheOverageEvenBelowZero() {
        Reservation r = store.reserve(10, false, 1, 300).reservation();
        rows.setUserQuota(1, 50); // spent elsewhere meanwhile

        store.settle(r, 420);

        assertThat(rows.tokenRemain(10)).isEqualTo(500 - 420);
        assertThat(rows.userQuota(1)).isEqualTo(50 - 120);
        // the recorded debt refuses the next reservation
        assertThat(store.reserve(10, false, 1, 1).status()).isEqualTo(ReserveOutcome.Status.USER_QUOTA_SHORT);
    }

    @Test
    void settleOnUnlimitedTokenKeepsRemainQuota() {
        Reservation r = store.reserve(11, true, 1, 300).reservation();

        store.settle(r, 350);

        assertThat(rows.tokenRemain(11)).isEqualTo(-1);
        assertThat(rows.userQuota(1)).isEqualTo(650);
    }

    @Test
    void refundRestoresExactly() {
        Reservation r = store.reserve(10, false, 1, 300).reservation();

        store.refund(r);

        assertThat(rows.tokenRemain(10)).isEqualTo(500);
        assertThat(rows.userQuota(1)).isEqualTo(1_000);
    }

    @Test
    void zeroReservationTouchesNothing() {
        rows.setUserQuota(1, 0);
        ReserveOutcome outcome = store.reserve(10, false, 1, 0);

        assertThat(outcome.status()).isEqualTo(ReserveOutcome.Status.RESERVED);
        store.refund(outcome.reservation());
        assertThat(rows.userQuota(1)).isZero();
        assertThat(rows.tokenRemain(10)).isEqualTo(500);
    }

    @Test
    void negativeAmountsAreBugs() {
        assertThatThrownBy(() -> store.reserve(10, false, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        Reservation r = store.reserve(10, false, 1, 10).reservation();
        assertThatThrownBy(() -> store.settle(r, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(rows.tokenRemain(10)).isEqualTo(490);
    }
}
