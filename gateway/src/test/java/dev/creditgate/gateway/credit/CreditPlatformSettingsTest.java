package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CreditPlatformSettingsTest {

    @Test
    void optionsWithDefaults() {
        CreditPlatformSettings s = CreditPlatformSettings.fromOptions(Map.of(
                "letaicode_domain", "https://credits.example.com/",
                "letaicode_admin_token", "tok")::get);

        assertThat(s.domain()).isEqualTo("https://credits.example.com");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(s.retries()).isEqualTo(1);
        assertThat(s.creditsPerUsd()).isEqualByComparingTo("100");
        assertThat(s.configured()).isTrue();
    }

    @Test
    void explicitOptions() {
        CreditPlatformSettings s = CreditPlatformSettings.fromOptions(Map.of(
                "letaicode_domain", "http://127.0.0.1:4000", "letaicode_admin_token", "tok",
                "letaicode_timeout_ms", "750", "letaicode_retries", "0", "letaicode_credits_per_usd", "12.5")::get);

        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.retries()).isZero();
        assertThat(s.creditsPerUsd()).isEqualByComparingTo(new BigDecimal("12.5"));
    }

    @Test
    void missingOptionsAreNamed() {
        CreditPlatformSettings s = CreditPlatformSettings.fromOptions(Map.<String, String>of()::get);

        assertThat(s.configured()).isFalse();
        assertThat(s.missing()).isEqualTo("letaicode_domain, letaicode_admin_token");
    }

    @Test
    void badValuesNameTheOption() {
        assertThatThrownBy(() -> CreditPlatformSettings.fromOptions(Map.of("letaicode_timeout_ms", "soon")::get))
                .hasMessage("letaicode_timeout_ms: soon (expected: an integer)");
        assertThatThrownBy(() -> CreditPlatformSettings.fromOptions(Map.of("letaicode_timeout_ms", "0")::get))
                .hasMessage("letaicode_timeout_ms: 0 (expected: >= 1)");
        assertThatThrownBy(() -> CreditPlatformSettings.fromOptions(Map.of("letaicode_retries", "-1")::get))
                .hasMessage("letaicode_retries: -1 (expected: >= 0)");
        assertThatThrownBy(() -> CreditPlatformSettings.fromOptions(Map.of("letaicode_domain", "ftp://x")::get))
                .hasMessage("letaicode_domain: ftp://x (expected: an http(s) URL)");
        assertThatThrownBy(() -> CreditPlatformSettings.fromOptions(Map.of("letaicode_credits_per_usd", "0")::get))
                .hasMessage("letaicode_credits_per_usd: 0 (expected: > 0)");
    }

    @Test
    void theTokenNeverShowsInToString() {
        assertThat(CreditPlatformSettings.of("http://x", "sk-very-secret").toString())
                .doesNotContain("sk-very-secret").contains("****");
    }
}
