package dev.creditgate.contract;

import java.math.BigDecimal;

import tools.jackson.databind.JsonNode;

/** Exact decimals from JSON: numbers or strings ({@code 0.25}, {@code "0.25"}, {@code 1e-3}), never through double. */
public final class Decimals {

    /** Longest decimal string accepted, and the widest exponent: keeps absurd input from costing CPU or memory. */
    private static final int MAX_LENGTH = 100;
    private static final int MAX_INTEGER_DIGITS = 30;
    private static final int MAX_SCALE = 400;

    private Decimals() {
    }

    /**
     * The exact decimal a JSON value holds.
     *
     * @param path field name used in the error message
     * @throws IllegalArgumentException when the value is neither a number nor a decimal string, or is absurdly long
     */
    public static BigDecimal parse(JsonNode v, String path) {
        if (v.isNumber()) {
            BigDecimal d = v.isIntegralNumber() ? new BigDecimal(v.bigIntegerValue()) : v.decimalValue();
            return checkSize(d, path, v.toString());
        }
        if (v.isString()) {
            return parse(v.stringValue(), path);
        }
        throw new IllegalArgumentException(path + ": expected a decimal number or string, got " + v.getNodeType());
    }

    /** The exact decimal a string holds ({@code "12.5"}, {@code "1e-3"}); no spaces, no hex, no NaN. */
    public static BigDecimal parse(String s, String path) {
        if (s.isEmpty() || s.length() > MAX_LENGTH || !s.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?")) {
            throw new IllegalArgumentException(path + ": expected a decimal number, got \"" + abbreviate(s) + "\"");
        }
        return checkSize(new BigDecimal(s), path, s);
    }

    private static BigDecimal checkSize(BigDecimal d, String path, String text) {
        if (d.precision() > MAX_LENGTH || d.scale() > MAX_SCALE || d.precision() - d.scale() > MAX_INTEGER_DIGITS) {
            throw new IllegalArgumentException(path + ": out of range: " + abbreviate(text));
        }
        return d;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
