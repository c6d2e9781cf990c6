package dev.creditgate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {

    @Test
    void keysAreAcceptedWithOrWithoutSkAndFromXApiKey() {
        assertThat(TokenAuthenticator.extractKey("Bearer sk-abc", null)).isEqualTo("abc");
        assertThat(TokenAuthenticator.extractKey("bearer abc", null)).isEqualTo("abc");
        assertThat(TokenAuthenticator.extractKey(null, "sk-abc")).isEqualTo("abc");
        assertThat(TokenAuthenticator.extractKey("Bearer sk-abc", "sk-other")).isEqualTo("abc");
        assertThat(TokenAuthenticator.extractKey("Bearer ", null)).isNull();
        assertThat(TokenAuthenticator.extractKey(null, null)).isNull();
        assertThat(TokenAuthenticator.extractKey("Bearer sk-", null)).isNull();
    }

    @Test
    void modelLimitsParseAsATrimmedSet() {
        assertThat(TokenAuthenticator.parseModels(" a, b ,,a ")).containsExactlyInAnyOrder("a", "b");
        assertThat(TokenAuthenticator.parseModels("")).isEmpty();
    }

    @Test
    void maskedKeysShowOnlyTheEnds() {
        Token t = new Token(1, 0, "abcdEFGHijklMNOPqrstUVWXyz0123456789ABCDEFGHwxyz", "n", 1, 0, 0, -1, 0, true, 0, 0,
                false, "", "", "", "native", null);
        assertThat(t.maskedKey()).startsWith("sk-abcd").endsWith("wxyz").doesNotContain("EFGH");
    }
}
