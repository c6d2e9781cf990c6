package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

class CheckDecisionTest {

    private static final BigDecimal RATE = BigDecimal.valueOf(100);

    @Test
    void quotaConvertsExactlyToUsdAndCredits() {
        assertThat(CheckDecision.quotaToUsd(500_000)).isEqualByComparingTo("1");
        assertThat(CheckDecision.quotaToUsd(1).toPlainString()).isEqualTo("0.000002");
        assertThat(CheckDecision.quotaToCredits(1, RATE)).isEqualByComparingTo("0.0002");
        assertThat(CheckDecision.quotaToCredits(3, new BigDecimal("133.333333")))
                .as("scale 6, half up, as the pricing library converts").isEqualByComparingTo("0.0008");
    }

    @Test
    void enoughCreditAllows() {
        CheckDecision d = CheckDecision.credits(50_000, new BigDecimal("1000"), RATE); // need 10 credits

        assertThat(d.allowed()).isTrue();
        assertThat(d.need()).isEqualByComparingTo("10");
        assertThat(d.message()).isNull();
    }

    @Test
    void exactlyEnoughAllows() {
        assertThat(CheckDecision.credits(50_000, new BigDecimal("10.000000"), RATE).allowed()).isTrue();
    }

    @Test
    void zeroCreditRefusesEvenForAFreeRequest() {
        CheckDecision d = CheckDecision.credits(0, BigDecimal.ZERO, RATE);

        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).isEqualTo("user quota insufficient, remaining: 0 credits, need: 0 credits");
    }

    @Test
    void lessThanTheEstimateRefusesNamingBothInCredits() {
        CheckDecision d = CheckDecision.credits(50_001, new BigDecimal("10.000100"), RATE);

        assertThat(d.allowed()).isFalse();
        assertThat(d.unit()).isEqualTo("credits");
        assertThat(d.message()).isEqualTo("user quota insufficient, remaining: 10.0001 credits, need: 10.0002 credits");
    }

    @Test
    void negativeCreditRefuses() {
        assertThat(CheckDecision.credits(1, new BigDecimal("-0.5"), RATE).message())
                .isEqualTo("user quota insufficient, remaining: -0.5 credits, need: 0.0002 credits");
    }

    @Test
    void localQuotaIsComparedInQuota() {
        assertThat(CheckDecision.quota(100, 100).allowed()).isTrue();
        assertThat(CheckDecision.quota(101, 100).message())
                .isEqualTo("user quota insufficient, remaining: 100 quota, need: 101 quota");
        assertThat(CheckDecision.quota(0, 0).allowed()).isFalse();
    }

    @Test
    void aPlatformRefusalStaysARefusal() {
        CheckDecision d = CheckDecision.refused(500_000, new BigDecimal("250"), RATE);

        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).isEqualTo("user quota insufficient, remaining: 250 credits, need: 100 credits");
        assertThat(CheckDecision.refused(1, null, RATE).remaining()).isEqualByComparingTo("0");
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> CheckDecision.credits(-1, BigDecimal.ONE, RATE))
                .hasMessage("estimateQuota: -1 (expected: >= 0)");
        assertThatThrownBy(() -> CheckDecision.credits(1, BigDecimal.ONE, BigDecimal.ZERO))
                .hasMessage("creditsPerUsd: 0 (expected: > 0)");
    }
}
