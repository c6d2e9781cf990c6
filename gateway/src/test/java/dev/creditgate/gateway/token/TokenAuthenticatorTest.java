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
        String key = "abcdEFGHijklMNOPqrstUVWXyz0123456789ABCDEFGHwxyz";
        assertThat(TokenKeys.mask(key)).startsWith("sk-abcd").endsWith("wxyz").doesNotContain("EFGH")
                .hasSize(3 + key.length());
        assertThat(TokenKeys.mask("short")).isEqualTo("sk-****");
    }

    @Test
    void keysAreStoredAsTheirSha256InHex() {
        // sha256("abc"), the FIPS 180-2 test vector
        assertThat(TokenKeys.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(TokenKeys.sameHash(TokenKeys.hash("abc"), TokenKeys.hash("abc"))).isTrue();
        assertThat(TokenKeys.sameHash(TokenKeys.hash("abc"), TokenKeys.hash("abd"))).isFalse();
    }
}
