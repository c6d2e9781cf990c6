package dev.creditgate.gateway.console;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A bar chart drawn as inline SVG by the template (no JavaScript): the geometry of each bar in a
 * {@value #WIDTH} x {@value #HEIGHT} view box, with its label and exact value.
 */
record BarChart(String title, String unit, String max, List<Bar> bars) {

    static final int WIDTH = 600;
    static final int HEIGHT = 220;
    static final int TOP = 16;
    static final int BASE = 180;

    static final int MAX_BAR_WIDTH = 80;
    /** About this many labels fit under a chart; with more bars only every n-th is labelled. */
    static final int MAX_LABELS = 8;

    /**
     * One bar: {@code value} is the exact number shown in its tooltip; {@code shortLabel} is drawn under the bar
     * when {@code labelled}.
     */
    record Bar(String label, String shortLabel, boolean labelled, String value, double x, double y, double width,
               double height, double labelX) {}

    /** Bars in the map's order; labels longer than {@code labelChars} are cut under the bar (whole in the tooltip). */
    static BarChart of(String title, String unit, Map<String, BigDecimal> values, int labelChars) {
        BigDecimal max = values.values().stream().max(BigDecimal::compareTo).orElse(BigDecimal.ZERO);
        int n = Math.max(1, values.size());
        double slot = (double) WIDTH / n;
        double barWidth = Math.min(MAX_BAR_WIDTH, Math.max(1, slot * 0.7));
        int labelEvery = (n + MAX_LABELS - 1) / MAX_LABELS;
        List<Bar> bars = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, BigDecimal> e : values.entrySet()) {
            double share = max.signum() == 0 ? 0 : e.getValue().divide(max, MathContext.DECIMAL64).doubleValue();
            double h = share * (BASE - TOP);
            double x = i * slot + (slot - barWidth) / 2;
            String label = e.getKey();
            String shortLabel = label.length() > labelChars ? label.substring(0, labelChars - 1) + "…" : label;
            bars.add(new Bar(label, shortLabel, (n - 1 - i) % labelEvery == 0, plain(e.getValue()), x, BASE - h,
                    barWidth, h, x + barWidth / 2));
            i++;
        }
        return new BarChart(title, unit, plain(max), bars);
    }

    public boolean empty() {
        return bars.stream().allMatch(b -> b.height() == 0);
    }

    static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
}
