package dev.creditgate.contract;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Writes numbers exactly as JavaScript's {@code JSON.stringify} does (ECMAScript Number::toString, radix 10).
 *
 * <p>A decimal is first rounded to the nearest IEEE-754 double, as {@code JSON.parse} does (round half to even),
 * then printed with the fewest significant digits that read back as the same double (closest to the value when
 * several candidates of that length exist), in plain notation for 1e-7 &lt; |x| &lt; 1e21 and in exponent form
 * ({@code 8e-8}, {@code 1.5e+21}) outside it. So {@code 1} not {@code 1.0}, {@code 0.000123}, {@code 5e-324}.
 */
public final class JsNumbers {

    private JsNumbers() {
    }

    /**
     * The text {@code JSON.stringify(JSON.parse(String(value)))} produces for this decimal.
     *
     * @throws IllegalArgumentException when the decimal rounds to an infinite double (JavaScript would write {@code null})
     */
    public static String format(BigDecimal value) {
        // Double.parseDouble is correctly rounded (half-even), the same rule as JSON.parse.
        return format(Double.parseDouble(value.toString()));
    }

    /** The text {@code JSON.stringify} produces for this long (through the nearest double, as JavaScript stores it). */
    public static String format(long value) {
        if (Math.abs(value) <= (1L << 53)) {
            return Long.toString(value);
        }
        return format((double) value);
    }

    /**
     * The text {@code JSON.stringify} produces for this double.
     *
     * @throws IllegalArgumentException for NaN and infinities (JavaScript would write {@code null})
     */
    public static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        if (value == 0) {
            return "0"; // also -0, which JavaScript prints as 0
        }
        BigDecimal shortest = shortest(Math.abs(value));
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        // value = 0.digits x 10^n  <=>  digits x 10^(n-k)
        int n = k - shortest.scale();
        StringBuilder out = new StringBuilder(k + 8);
        if (value < 0) {
            out.append('-');
        }
        if (k <= n && n <= 21) {
            out.append(digits);
            out.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            int e = n - 1;
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }

    /**
     * The shortest decimal that reads back as {@code d} (d &gt; 0), closest to d among those, trailing zeros stripped.
     *
     * <p>Java's {@code Double.toString} (JDK 19+) already returns the shortest closest digits when that length is
     * at least 2; when a single digit would do it may return two (e.g. {@code 4.9E-324} for JavaScript's
     * {@code 5e-324}), so single-digit candidates are checked explicitly.
     */
    private static BigDecimal shortest(double d) {
        BigDecimal java = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (java.precision() == 1) {
            return java;
        }
        BigDecimal exact = new BigDecimal(d);
        MathContext one = new MathContext(1, RoundingMode.FLOOR);
        BigDecimal down = exact.round(one);
        BigDecimal up = exact.round(new MathContext(1, RoundingMode.CEILING));
        boolean downOk = Double.parseDouble(down.toString()) == d;
        boolean upOk = Double.parseDouble(up.toString()) == d;
        if (downOk && upOk) {
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp < 0) {
                return down.stripTrailingZeros();
            }
            if (cmp > 0) {
                return up.stripTrailingZeros();
            }
            BigInteger lastDown = down.unscaledValue();
            return (lastDown.testBit(0) ? up : down).stripTrailingZeros();
        }
        if (downOk) {
            return down.stripTrailingZeros();
        }
        if (upOk) {
            return up.stripTrailingZeros();
        }
        return java;
    }
}
