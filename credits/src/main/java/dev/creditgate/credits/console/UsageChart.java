package dev.creditgate.credits.console;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import dev.creditgate.credits.ledger.Money;

/**
 * Usage per day as bars of an inline SVG (no JavaScript): each bar's height is its day's usage relative to the
 * largest day. Coordinates are computed here so that the template only places them.
 */
record UsageChart(List<Bar> bars, BigDecimal total, BigDecimal max, int width, int height) {

    static final int BAR = 24;
    static final int GAP = 6;
    static final int PLOT = 120;
    static final int LABEL = 18;

    /** One day's usage in micro-credits (a refund-like negative sum counts as 0 in the bar). */
    record Day(LocalDate date, long micros) {
    }

    record Bar(String date, String label, BigDecimal credits, int x, int y, int barHeight, int labelX) {
    }

    static UsageChart of(List<Day> days) {
        long max = days.stream().mapToLong(d -> Math.max(0, d.micros())).max().orElse(0);
        long total = days.stream().mapToLong(Day::micros).sum();
        List<Bar> bars = new java.util.ArrayList<>();
        for (int i = 0; i < days.size(); i++) {
            Day d = days.get(i);
            long v = Math.max(0, d.micros());
            int h = max == 0 ? 0 : Math.max(v > 0 ? 1 : 0, java.math.BigInteger.valueOf(v).multiply(java.math.BigInteger.valueOf(PLOT))
                    .divide(java.math.BigInteger.valueOf(max)).intValue());
            int x = i * (BAR + GAP);
            bars.add(new Bar(d.date().toString(), d.date().getDayOfMonth() + "", Money.toCredits(d.micros()), x,
                    PLOT - h, h, x + BAR / 2));
        }
        return new UsageChart(bars, Money.toCredits(total), Money.toCredits(max),
                Math.max(1, days.size() * (BAR + GAP) - GAP), PLOT + LABEL);
    }
}
