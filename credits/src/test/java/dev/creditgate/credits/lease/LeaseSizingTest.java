package dev.creditgate.credits.lease;

import static dev.creditgate.credits.lease.LeaseService.openSize;
import static dev.creditgate.credits.lease.LeaseService.resize;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sizing rules of {@link LeaseService#resize} and {@link LeaseService#openSize}, case by case (micro-credits). */
class LeaseSizingTest {

    @Test
    void growsByAtMostHalfOfWhatIsFree() {
        assertThat(resize(30, 80, 0, 0, 45, false)).isEqualTo(52);   // 30 + min(50, 45 / 2)
        assertThat(resize(30, 40, 0, 0, 45, false)).isEqualTo(40);   // what is wanted, when half the free covers it
        assertThat(resize(30, 80, 0, 0, 1, false)).isEqualTo(30);    // nothing to split: stays
        assertThat(resize(30, 80, 0, 0, 0, false)).isEqualTo(30);
    }

    @Test
    void drainsToWhatIsInUseWhenTooSmall() {
        assertThat(resize(30, 80, 60, 10, 20, false)).isEqualTo(10); // 30 + 10 < min 60: in use only
        assertThat(resize(30, 80, 40, 10, 20, false)).isEqualTo(40); // 30 + 10 reaches min 40
        assertThat(resize(30, 80, 60, 50, 20, false)).isEqualTo(30); // in use above the lease: the lease
    }

    @Test
    void shrinksToWhatIsWantedButNeverBelowWhatIsInUse() {
        assertThat(resize(50, 20, 0, 30, 100, false)).isEqualTo(30);
        assertThat(resize(50, 20, 0, 5, 100, false)).isEqualTo(20);
        assertThat(resize(50, 20, 0, 80, 100, false)).isEqualTo(50); // the floor is min(inUse, amount)
        assertThat(resize(50, 50, 0, 0, 100, false)).isEqualTo(50);
    }

    @Test
    void recalledOrInDebtGivesBackAllThatIsNotInUse() {
        assertThat(resize(50, 100, 0, 5, 100, true)).isEqualTo(5);
        assertThat(resize(50, 100, 0, 80, 100, true)).isEqualTo(50);
        assertThat(resize(50, 100, 0, 5, -1, false)).isEqualTo(5);
        assertThat(resize(50, 10, 0, 0, -1, false)).isZero();
    }

    @Test
    void opensWithAtMostHalfOfWhatIsFree() {
        assertThat(openSize(30, 100, false)).isEqualTo(30);
        assertThat(openSize(100, 50, false)).isEqualTo(25);
        assertThat(openSize(100, 1, false)).isZero();
        assertThat(openSize(100, 0, false)).isZero();
        assertThat(openSize(100, -5, false)).isZero();
        assertThat(openSize(100, 100, true)).isZero();
    }
}
