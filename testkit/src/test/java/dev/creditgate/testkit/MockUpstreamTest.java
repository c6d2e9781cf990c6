package dev.creditgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The documented deterministic rules, without a server. */
class MockUpstreamTest {

    @Test
    void promptTokensAreCharactersOverFourRoundedUp() {
        assertThat(MockUpstream.promptTokensFor("{\"messages\":[{\"role\":\"user\",\"content\":\"12345678\"}]}")).isEqualTo(2);
        assertThat(MockUpstream.promptTokensFor("{\"messages\":[{\"role\":\"user\",\"content\":\"123456789\"}]}")).isEqualTo(3);
        // system blocks + content parts, Anthropic style: 4 + 5 = 9 characters
        assertThat(MockUpstream.promptTokensFor("{\"system\":[{\"type\":\"text\",\"text\":\"abcd\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"efghi\"}]}]}")).isEqualTo(3);
        // responses: instructions + input items
        assertThat(MockUpstream.promptTokensFor("{\"instructions\":\"abcd\",\"input\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"abcd\"}]}]}")).isEqualTo(2);
        // embeddings token ids: 4 characters each
        assertThat(MockUpstream.promptTokensFor("{\"input\":[1,2,3]}")).isEqualTo(3);
        // never below 1
        assertThat(MockUpstream.promptTokensFor("{\"model\":\"x\"}")).isEqualTo(1);
    }

    @Test
    void wordsKeepTheirLeadingSpace() {
        assertThat(MockUpstream.words("  Hello   from\nthe mock ")).containsExactly("Hello", " from", " the", " mock");
    }

    @Test
    void chunkCountCyclesThroughTheWords() {
        try (MockUpstream mock = MockUpstream.start()) {
            assertThat(mock.replyChunks()).containsExactly("Hello", " from", " the", " mock", " upstream.");
            mock.reply("a b").chunks(5);
            assertThat(mock.replyChunks()).containsExactly("a", " b", " a", " b", " a");
            assertThat(mock.replyText()).isEqualTo("a b a b a");
            mock.replyChunks(List.of("你", "好")).chunks(-1);
            assertThat(mock.replyText()).isEqualTo("你好");
            assertThat(mock.baseUrl()).isEqualTo("http://127.0.0.1:" + mock.port());
        }
    }

    @Test
    void badKnobsFailLoudly() {
        try (MockUpstream mock = MockUpstream.start()) {
            assertThatThrownBy(() -> mock.chunks(0)).hasMessageContaining("chunks: 0");
            assertThatThrownBy(() -> mock.reply("   ")).hasMessageContaining("at least one word");
            assertThatThrownBy(() -> mock.faultNext(0, Fault.NONE)).hasMessageContaining("calls: 0");
            assertThatThrownBy(() -> Fault.NONE.withStatus(42)).hasMessageContaining("status: 42");
            assertThatThrownBy(() -> Fault.NONE.withDelay(Duration.ofMillis(-1))).hasMessageContaining("delays must be >= 0");
            assertThatThrownBy(() -> Fault.NONE.withCutAfter(-2)).hasMessageContaining("cutAfterChunks: -2");
        }
    }

    @Test
    void faultsCompose() {
        Fault fault = Fault.NONE.withChunkDelay(Duration.ofMillis(5)).withCutAfter(3).withoutUsage();

        assertThat(fault.chunkDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(fault.cutAfterChunks()).isEqualTo(3);
        assertThat(fault.omitUsage()).isTrue();
        assertThat(fault.status()).isZero();
        assertThat(fault.garbage()).isFalse();
    }

    @Test
    void embeddingVectorsAreDeterministic() {
        assertThat(OpenAiWire.vector("x", 8)).containsExactly(OpenAiWire.vector("x", 8));
        assertThat(OpenAiWire.vector("x", 8)).isNotEqualTo(OpenAiWire.vector("y", 8));
        for (float v : OpenAiWire.vector("x", 64)) {
            assertThat(v).isBetween(-0.5f, 0.5f);
        }
    }
}
