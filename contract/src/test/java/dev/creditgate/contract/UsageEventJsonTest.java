package dev.creditgate.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class UsageEventJsonTest {

    private static final UsageEvent EVENT = UsageEvent.usage("evt-1", 1_734_480_000_123L,
            new UsageEvent.Data(42, "6f1c3a52-3c1e-4b8e-9d55-0c3f6b1e2a10", "gpt-4o-mini", 1200, 300, 1500,
                    new BigDecimal("0.000123")));

    @Test
    void writesTheSpecFieldOrderCompactly() {
        assertThat(UsageEventJson.write(EVENT)).isEqualTo("{\"eventId\":\"evt-1\",\"eventType\":\"usage\","
                + "\"timestamp\":1734480000123,\"data\":{\"remoteKeyId\":42,"
                + "\"keyId\":\"6f1c3a52-3c1e-4b8e-9d55-0c3f6b1e2a10\",\"model\":\"gpt-4o-mini\",\"promptTokens\":1200,"
                + "\"completionTokens\":300,\"totalTokens\":1500,\"cost\":0.000123}}");
    }

    @Test
    void numbersAndStringsAsJavaScriptWritesThem() {
        UsageEvent e = UsageEvent.usage("e\"\\\n\u0001\u2028é😀", 1, new UsageEvent.Data(1, null, "m/x", 0, 0, 0,
                new BigDecimal("8E-8")));
        assertThat(UsageEventJson.write(e)).isEqualTo("{\"eventId\":\"e\\\"\\\\\\n\\u0001\u2028é😀\",\"eventType\":\"usage\","
                + "\"timestamp\":1,\"data\":{\"remoteKeyId\":1,\"keyId\":null,\"model\":\"m/x\",\"promptTokens\":0,"
                + "\"completionTokens\":0,\"totalTokens\":0,\"cost\":8e-8}}");
        assertThat(JsJson.restringify(UsageEventJson.writeBytes(e))).isEqualTo(UsageEventJson.write(e));
    }

    @Test
    void readsBackExactly() {
        UsageEvent back = UsageEventJson.read(UsageEventJson.writeBytes(EVENT));
        assertThat(back).isEqualTo(EVENT);
        UsageEvent fromString = UsageEventJson.read(("{\"eventId\":\"a\",\"eventType\":\"usage\",\"timestamp\":5,"
                + "\"data\":{\"remoteKeyId\":3,\"cost\":\"0.1000000000000000055511151231257827\"}}").getBytes(StandardCharsets.UTF_8));
        assertThat(fromString.data().cost()).isEqualByComparingTo("0.1000000000000000055511151231257827");
        assertThat(fromString.data().keyId()).isNull();
    }

    @Test
    void rejectsMalformedBodiesWithTheFieldName() {
        assertThatThrownBy(() -> UsageEventJson.read("{".getBytes())).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> UsageEventJson.read("[]".getBytes())).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> UsageEventJson.read("{\"eventType\":\"usage\"}".getBytes())).hasMessageContaining("eventId");
        assertThatThrownBy(() -> UsageEventJson.read("{\"eventId\":\"a\",\"eventType\":\"usage\",\"timestamp\":1,\"data\":{\"cost\":true}}".getBytes()))
                .hasMessageContaining("data.cost");
        assertThatThrownBy(() -> UsageEventJson.read("{\"eventId\":\"a\",\"eventType\":\"usage\",\"timestamp\":1,\"data\":{\"cost\":1,\"promptTokens\":1.5}}".getBytes()))
                .hasMessageContaining("promptTokens");
        assertThatThrownBy(() -> UsageEventJson.read("{\"eventId\":\"a\",\"eventId\":\"b\"}".getBytes())).hasMessageContaining("malformed");
    }

    /** Bodies written here come back unchanged from {@code JSON.stringify(JSON.parse(body))} in node. */
    @Test
    void survivesJavaScriptReserialisation() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            BigDecimal cost = new BigDecimal(random.nextLong(0, 10_000_000_000L)).movePointLeft(random.nextInt(0, 18));
            bodies.add(UsageEventJson.write(UsageEvent.usage("evt-" + i + "-\u00e9\t\"", random.nextLong(0, 1L << 45),
                    new UsageEvent.Data(random.nextLong(1, 1L << 40), "k" + i, "model-" + i,
                            random.nextLong(0, 1L << 30), random.nextLong(0, 1L << 30), random.nextLong(0, 1L << 31), cost))));
        }
        List<String> node = NodeJs.mapLines("x => JSON.stringify(JSON.parse(x))", bodies);
        assertThat(node).containsExactlyElementsOf(bodies);
    }

    /** {@link JsJson#restringify} equals node's re-serialisation for bodies a JavaScript sender might produce. */
    @Test
    void restringifyMatchesNode() throws Exception {
        List<String> inputs = List.of(
                "{ \"b\": 1.0, \"a\" : [1e2, 2.50, -0, 1E-7] }",
                "{\"z\":1,\"10\":2,\"2\":3,\"01\":4,\"-1\":5,\"4294967295\":6,\"4294967294\":7}",
                "{\"a\":1,\"b\":2,\"a\":3}",
                "{\"s\":\"\\u00e9\\u2028\\/\\ud800x\\u001f\",\"t\":true,\"n\":null}",
                "[123456789012345678901234567890, 0.1234567890123456789, 5e-324]",
                "\"just a string\"");
        List<String> node = NodeJs.mapLines("x => JSON.stringify(JSON.parse(x))", inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(JsJson.restringify(inputs.get(i).getBytes(StandardCharsets.UTF_8))).as(inputs.get(i)).isEqualTo(node.get(i));
        }
    }
}
