package dev.creditgate.contract.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    private final ConsoleSessions<String> sessions = new ConsoleSessions<>(Duration.ofMinutes(30), Duration.ofHours(12), 3, clock);

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    void aSessionIsFoundUntilItIdlesOutAndEachUseRestartsItsIdleTime() {
        var s = sessions.open("admin");
        advance(Duration.ofMinutes(29));
        assertThat(sessions.find(s.id())).isPresent();
        advance(Duration.ofMinutes(29));
        assertThat(sessions.find(s.id())).map(ConsoleSessions.Session::principal).contains("admin");
        advance(Duration.ofMinutes(30));
        assertThat(sessions.find(s.id())).isEmpty();
    }

    @Test
    void aSessionEndsAfterItsAbsoluteLifetimeEvenWhenUsed() {
        var s = sessions.open("admin");
        for (int i = 0; i < 12 * 3; i++) {
            advance(Duration.ofMinutes(20));
            sessions.find(s.id());
        }
        assertThat(sessions.find(s.id())).isEmpty();
    }

    @Test
    void idsAndCsrfTokensAreRandomAndCsrfIsCheckedExactly() {
        var a = sessions.open("u1");
        var b = sessions.open("u1");
        assertThat(a.id()).isNotEqualTo(b.id()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(a.csrf()).isNotEqualTo(a.id()).isNotEqualTo(b.csrf());
        assertThat(ConsoleSessions.csrfMatches(a, a.csrf())).isTrue();
        assertThat(ConsoleSessions.csrfMatches(a, b.csrf())).isFalse();
        assertThat(ConsoleSessions.csrfMatches(a, null)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(a, "")).isFalse();
    }

    @Test
    void logoutAndCloseAllEndSessions() {
        var a = sessions.open("u1");
        var b = sessions.open("u2");
        sessions.close(a.id());
        assertThat(sessions.find(a.id())).isEmpty();
        sessions.closeAll("u2");
        assertThat(sessions.find(b.id())).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("forged")).isEmpty();
    }

    @Test
    void aOneTimeCodeRedeemsOnceAndOnlyWithinItsLifetime() {
        String code = sessions.oneTimeCode("admin", Duration.ofMinutes(5));
        assertThat(sessions.redeem(code)).map(ConsoleSessions.Session::principal).contains("admin");
        assertThat(sessions.redeem(code)).isEmpty();
        String late = sessions.oneTimeCode("admin", Duration.ofMinutes(5));
        advance(Duration.ofMinutes(5));
        assertThat(sessions.redeem(late)).isEmpty();
    }

    @Test
    void theStoreStaysBoundedDroppingTheOldest() {
        var first = sessions.open("a");
        advance(Duration.ofSeconds(1));
        sessions.open("b");
        advance(Duration.ofSeconds(1));
        sessions.open("c");
        advance(Duration.ofSeconds(1));
        var fourth = sessions.open("d");
        assertThat(sessions.size()).isLessThanOrEqualTo(3);
        assertThat(sessions.find(first.id())).isEmpty();
        assertThat(sessions.find(fourth.id())).isPresent();
    }

    @Test
    void cookiesAreHttpOnlyStrictAndSecureOverHttps() {
        assertThat(ConsoleSessions.cookie("cg_console", "abc", "/console", false))
                .isEqualTo("cg_console=abc; Path=/console; HttpOnly; SameSite=Strict");
        assertThat(ConsoleSessions.cookie("cg_console", "", "/console", true))
                .isEqualTo("cg_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
    }
}
