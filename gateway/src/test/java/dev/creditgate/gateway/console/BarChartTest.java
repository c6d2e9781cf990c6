package dev.creditgate.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BarChartTest {

    @Test
    void barsAreProportionalToExactValuesAndTheLargestFillsTheHeight() {
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        values.put("a", new BigDecimal("0.000001"));
        values.put("b", new BigDecimal("0.000004"));
        values.put("c", BigDecimal.ZERO);
        BarChart chart = BarChart.of("t", "USD", values, 10);
        double full = BarChart.BASE - BarChart.TOP;
        assertThat(chart.bars()).extracting(BarChart.Bar::height).containsExactly(full / 4, full, 0.0);
        assertThat(chart.bars()).extracting(BarChart.Bar::value).containsExactly("0.000001", "0.000004", "0");
        assertThat(chart.max()).isEqualTo("0.000004");
        assertThat(chart.bars().get(1).y() + chart.bars().get(1).height()).isEqualTo(BarChart.BASE);
        assertThat(chart.empty()).isFalse();
    }

    @Test
    void allZeroIsEmptyAndManyBarsAreLabelledSparselyEndingWithTheLast() {
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        for (int i = 1; i <= 30; i++) {
            values.put("2026-11-" + String.format("%02d", i), BigDecimal.ZERO);
        }
        BarChart chart = BarChart.of("t", "quota", values, 10);
        assertThat(chart.empty()).isTrue();
        assertThat(chart.bars().stream().filter(BarChart.Bar::labelled).count()).isLessThanOrEqualTo(BarChart.MAX_LABELS);
        assertThat(chart.bars().getLast().labelled()).isTrue();
        assertThat(chart.bars()).allMatch(b -> b.x() >= 0 && b.x() + b.width() <= BarChart.WIDTH);
    }

    @Test
    void longLabelsAreCutUnderTheBarAndWholeInTheTooltip() {
        BarChart chart = BarChart.of("t", "quota", Map.of("a-very-long-model-name", BigDecimal.ONE), 8);
        assertThat(chart.bars().getFirst().shortLabel()).isEqualTo("a-very-…");
        assertThat(chart.bars().getFirst().label()).isEqualTo("a-very-long-model-name");
        assertThat(chart.bars().getFirst().width()).isEqualTo(BarChart.MAX_BAR_WIDTH);
    }
}
