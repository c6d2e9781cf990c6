package dev.creditgate.gateway.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MaxTokensTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return MAPPER.readTree(text);
    }

    @Test
    void readsEveryKnownLimitAndTakesTheLargest() {
        assertThat(MaxTokens.of(json("{\"max_tokens\":100}"))).hasValue(100);
        assertThat(MaxTokens.of(json("{\"max_tokens\":100,\"max_completion_tokens\":200}"))).hasValue(200);
        assertThat(MaxTokens.of(json("{\"max_tokens\":300,\"max_completion_tokens\":200}"))).hasValue(300);
        assertThat(MaxTokens.of(json("{\"max_output_tokens\":50}"))).hasValue(50);           // Responses
        assertThat(MaxTokens.of(json("{\"model\":\"claude\",\"max_tokens\":1024,\"messages\":[]}"))).hasValue(1024);
        assertThat(MaxTokens.orNull(json("{\"max_tokens\":7}"))).isEqualTo(7);
    }

    @Test
    void absentZeroAndNullMeanNoLimit() {
        assertThat(MaxTokens.of(json("{}"))).isEmpty();
        assertThat(MaxTokens.of(json("{\"max_tokens\":0}"))).isEmpty();
        assertThat(MaxTokens.of(json("{\"max_tokens\":null}"))).isEmpty();
        assertThat(MaxTokens.of(json("[1]"))).isEmpty();
        assertThat(MaxTokens.of(null)).isEmpty();
        assertThat(MaxTokens.orNull(json("{}"))).isNull();
    }

    @Test
    void invalidLimitsAreRejectedNamingFieldAndValue() {
        assertThatThrownBy(() -> MaxTokens.of(json("{\"max_tokens\":-5}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max_tokens: -5 (expected: >= 1)");
        assertThatThrownBy(() -> MaxTokens.of(json("{\"max_completion_tokens\":1.5}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max_completion_tokens: 1.5 (expected: an integer >= 1)");
        assertThatThrownBy(() -> MaxTokens.of(json("{\"max_output_tokens\":\"10\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max_output_tokens: \"10\" (expected: an integer >= 1)");
        assertThatThrownBy(() -> MaxTokens.of(json("{\"max_tokens\":1000000000000}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max_tokens: 1000000000000 (expected: <= 2147483647)");
    }
}
