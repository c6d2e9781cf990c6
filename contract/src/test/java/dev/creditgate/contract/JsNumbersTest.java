package dev.creditgate.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsNumbersTest {

    /** Outputs of {@code JSON.stringify(JSON.parse(input))} in node 20, worked out from ECMAScript Number::toString. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            1                            | 1
            1.0                          | 1
            100                          | 100
            0.1                          | 0.1
            0.000123                     | 0.000123
            0.000001                     | 0.000001
            0.00000123                   | 0.00000123
            0.000001234                  | 0.000001234
            0.0000001                    | 1e-7
            1e-7                         | 1e-7
            8e-8                         | 8e-8
            1.5e-7                       | 1.5e-7
            9.5e-7                       | 9.5e-7
            0.0000009999999999999999999  | 0.000001
            123e-20                      | 1.23e-18
            12345.6789                   | 12345.6789
            1e20                         | 100000000000000000000
            1e21                         | 1e+21
            999999999999999999999        | 1e+21
            1.25e21                      | 1.25e+21
            1e23                         | 1e+23
            123456789012345678901234     | 1.2345678901234569e+23
            0.30000000000000004          | 0.30000000000000004
            0.1234567890123456789        | 0.12345678901234568
            9007199254740993             | 9007199254740992
            5e-324                       | 5e-324
            4.9e-324                     | 5e-324
            2.4703282292062328e-324      | 5e-324
            2e-324                       | 0
            1.7976931348623157e308       | 1.7976931348623157e+308
            -0.5                         | -0.5
            -0                           | 0
            -1.5e-7                      | -1.5e-7
            0.000015                     | 0.000015
            2.5                          | 2.5
            """)
    void formatsLikeJavaScript(String input, String js) {
        assertThat(JsNumbers.format(new BigDecimal(input))).isEqualTo(js);
    }

    @Test
    void longsAndDoubles() {
        assertThat(JsNumbers.format(0L)).isEqualTo("0");
        assertThat(JsNumbers.format(1_700_000_000_000L)).isEqualTo("1700000000000");
        assertThat(JsNumbers.format(9007199254740993L)).isEqualTo("9007199254740992");
        assertThat(JsNumbers.format(Double.MIN_VALUE)).isEqualTo("5e-324");
        assertThatThrownBy(() -> JsNumbers.format(new BigDecimal("1e400"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsNumbers.format(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Many random decimals of every magnitude, compared with real {@code JSON.stringify(JSON.parse(x))}. */
    @Test
    void agreesWithNodeOnRandomValues() throws Exception {
        SplittableRandom random = new SplittableRandom(20241218);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            switch (i % 4) {
                case 0 -> inputs.add(new BigDecimal(random.nextLong(1, Long.MAX_VALUE))
                        .movePointLeft(random.nextInt(0, 40)).toPlainString());
                case 1 -> inputs.add(Double.toString(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL)));
                case 2 -> inputs.add(random.nextInt(1, 1_000_000) + "e" + random.nextInt(-330, 310));
                default -> inputs.add(new BigDecimal(random.nextLong(0, 100_000_000))
                        .movePointLeft(random.nextInt(0, 12)).toPlainString());
            }
        }
        List<String> node = NodeJs.mapLines("x => JSON.stringify(JSON.parse(x))", inputs);
        for (int i = 0; i < inputs.size(); i++) {
            String expected = node.get(i).equals("null") ? null : node.get(i);
            String input = inputs.get(i);
            if (expected == null) {
                assertThatThrownBy(() -> JsNumbers.format(new BigDecimal(input))).isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(JsNumbers.format(new BigDecimal(input))).as(input).isEqualTo(expected);
            }
        }
    }
}
