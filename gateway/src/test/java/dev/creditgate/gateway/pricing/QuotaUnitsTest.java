package dev.creditgate.gateway.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class QuotaUnitsTest {

    @Test
    void quotaToUsdIsExactWithSixDecimals() {
        assertThat(QuotaUnits.QUOTA_PER_USD).isEqualTo(500_000L);
        assertThat(QuotaUnits.quotaToUsd(1)).isEqualTo(new BigDecimal("0.000002"));
        assertThat(QuotaUnits.quotaToUsd(500_000)).isEqualTo(new BigDecimal("1.000000"));
        assertThat(QuotaUnits.quotaToUsd(3_750)).isEqualTo(new BigDecimal("0.007500"));
        assertThat(QuotaUnits.quotaToUsd(-1)).isEqualTo(new BigDecimal("-0.000002"));
        assertThat(QuotaUnits.quotaToUsd(Long.MAX_VALUE)).isEqualTo(new BigDecimal("18446744073709.551614"));
        assertThat(QuotaUnits.quotaToUsd(0).scale()).isEqualTo(6);
    }

    @Test
    void usdToQuotaRoundTripsEveryQuota() {
        LongStream.of(0, 1, 2, 3, 7, 499_999, 500_000, 500_001, 123_456_789_012L, Long.MAX_VALUE / 2)
                .forEach(q -> assertThat(QuotaUnits.usdToQuota(QuotaUnits.quotaToUsd(q), RoundingMode.UNNECESSARY)).isEqualTo(q));
        assertThat(QuotaUnits.usdToQuota(new BigDecimal("0.0075"), RoundingMode.UNNECESSARY)).isEqualTo(3750);
        assertThat(QuotaUnits.usdToQuota(new BigDecimal("0.0000011"), RoundingMode.HALF_UP)).isEqualTo(1); // 0.55
        assertThat(QuotaUnits.usdToQuota(new BigDecimal("0.000001"), RoundingMode.HALF_UP)).isEqualTo(1);  // 0.5
        assertThat(QuotaUnits.usdToQuota(new BigDecimal("0.000001"), RoundingMode.DOWN)).isZero();
        assertThatThrownBy(() -> QuotaUnits.usdToQuota(new BigDecimal("0.0000011"), RoundingMode.UNNECESSARY))
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> QuotaUnits.usdToQuota(new BigDecimal("1e20"), RoundingMode.UNNECESSARY))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void usdToCreditsIsExactAtAnIntegerRate() {
        BigDecimal hundred = new BigDecimal("100");
        assertThat(QuotaUnits.usdToCredits(new BigDecimal("0.0075"), hundred)).isEqualTo(new BigDecimal("0.750000"));
        assertThat(QuotaUnits.quotaToCredits(3_750, hundred)).isEqualTo(new BigDecimal("0.750000"));
        assertThat(QuotaUnits.quotaToCredits(1, hundred)).isEqualTo(new BigDecimal("0.000200"));
        assertThat(QuotaUnits.creditsToUsd(new BigDecimal("0.75"), hundred, RoundingMode.UNNECESSARY))
                .isEqualTo(new BigDecimal("0.007500"));
        // a fractional rate rounds to micro-credits half away from zero: 0.000002 x 7.3 = 0.0000146
        assertThat(QuotaUnits.quotaToCredits(1, new BigDecimal("7.3"))).isEqualTo(new BigDecimal("0.000015"));
        assertThat(QuotaUnits.usdToCredits(new BigDecimal("0.0000146"), BigDecimal.ONE, RoundingMode.DOWN))
                .isEqualTo(new BigDecimal("0.000014"));
        assertThatThrownBy(() -> QuotaUnits.usdToCredits(BigDecimal.ONE, BigDecimal.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("creditsPerUsd: 0 (expected: > 0)");
    }

    @Test
    void microCreditsAreExact() {
        assertThat(QuotaUnits.toMicros(new BigDecimal("0.750000"))).isEqualTo(750_000);
        assertThat(QuotaUnits.toMicros(new BigDecimal("12"))).isEqualTo(12_000_000);
        assertThat(QuotaUnits.fromMicros(750_000)).isEqualTo(new BigDecimal("0.750000"));
        assertThatThrownBy(() -> QuotaUnits.toMicros(new BigDecimal("0.0000001"))).isInstanceOf(ArithmeticException.class);
    }
}
