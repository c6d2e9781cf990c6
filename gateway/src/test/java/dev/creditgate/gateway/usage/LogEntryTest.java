package dev.creditgate.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

/** Every log row fits its columns, whatever the request carried (one bad row fails a whole batch). */
class LogEntryTest {

    static LogEntry entry(String tokenName, String model, String requestId, String content, String other) {
        return new LogEntry(1, LogEntry.ERROR, 1, 1, tokenName, model, 0, 0, 0, requestId, false, 0, 0, content,
                BigDecimal.ZERO, other);
    }

    @Test
    void textsAreCutToTheirColumns() {
        LogEntry e = entry("t".repeat(300), "m".repeat(10_000), "r".repeat(100), "c".repeat(100_000), "o".repeat(5000));
        assertThat(e.tokenName()).hasSize(LogEntry.MAX_NAME).endsWith("...");
        assertThat(e.modelName()).hasSize(LogEntry.MAX_NAME).endsWith("...");
        assertThat(e.requestId()).hasSize(LogEntry.MAX_REQUEST_ID);
        assertThat(e.content()).hasSize(LogEntry.MAX_CONTENT);
        assertThat(e.other()).hasSize(LogEntry.MAX_OTHER);
    }

    @Test
    void shortTextsAreKeptAsTheyAreAndNullsBecomeEmpty() {
        LogEntry e = entry("name", "gpt-4o", "abc", null, null);
        assertThat(e.tokenName()).isEqualTo("name");
        assertThat(e.modelName()).isEqualTo("gpt-4o");
        assertThat(e.content()).isEmpty();
        assertThat(e.other()).isEmpty();
    }

    @Test
    void nulCharactersAreReplacedAndSurrogatePairsNeverSplit() {
        assertThat(LogEntry.fit("a\u0000b", 10)).isEqualTo("a\uFFFDb");
        String emoji = "\uD83D\uDE00"; // one code point, two chars
        String s = "x".repeat(5) + emoji + "y".repeat(10);
        String cut = LogEntry.fit(s, 9); // 6 chars kept would end inside the pair
        assertThat(cut).isEqualTo("xxxxx...");
        assertThat(cut.codePoints().allMatch(Character::isValidCodePoint)).isTrue();
        assertThat(LogEntry.fit("x".repeat(4) + emoji + "y".repeat(10), 9)).isEqualTo("xxxx" + emoji + "...");
    }
}
