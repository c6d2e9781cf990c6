package dev.creditgate.gateway.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class SecretBoxTest {

    static final String KEY_A = Base64.getEncoder().encodeToString("A".repeat(32).getBytes());
    static final String KEY_B = Base64.getEncoder().encodeToString("B".repeat(32).getBytes());

    static SecretBox box(String key, String... previous) {
        return new SecretBox(new SecretKeyProperties(key, List.of(previous)));
    }

    @Test
    void sealedValuesOpenAndShowNothingOfThePlaintext() {
        SecretBox box = box(KEY_A);
        String plain = "sk-upstream-0123456789abcdef";
        String sealed = box.seal(plain, SecretBox.CHANNEL_KEY);
        assertThat(sealed).startsWith("enc:v1:").doesNotContain(plain).doesNotContain("0123456789")
                .doesNotContain(Base64.getEncoder().encodeToString(plain.getBytes()));
        assertThat(box.seal(plain, SecretBox.CHANNEL_KEY)).isNotEqualTo(sealed); // a fresh nonce each time
        assertThat(box.open(sealed, SecretBox.CHANNEL_KEY)).isEqualTo(plain);
        assertThat(box.sealedWithCurrentKey(sealed)).isTrue();
        assertThat(box.open("legacy-plaintext", SecretBox.CHANNEL_KEY)).isEqualTo("legacy-plaintext");
        assertThat(box.sealedWithCurrentKey("legacy-plaintext")).isFalse();
    }

    @Test
    void aValueDoesNotOpenInAnotherFieldNorWhenAltered() {
        SecretBox box = box(KEY_A);
        String sealed = box.seal("s3cr3t", SecretBox.optionContext("letaicode_webhook_secret"));
        assertThatThrownBy(() -> box.open(sealed, SecretBox.optionContext("letaicode_admin_token")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not open")
                .hasMessageNotContaining("s3cr3t");
        int cut = sealed.lastIndexOf(':') + 1;
        byte[] raw = Base64.getDecoder().decode(sealed.substring(cut));
        raw[raw.length - 1] ^= 1; // one bit of the tag
        String altered = sealed.substring(0, cut) + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> box.open(altered, SecretBox.optionContext("letaicode_webhook_secret")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPreviousKeyStillOpensButAnUnknownOneIsNamed() {
        String sealedByA = box(KEY_A).seal("upstream", SecretBox.CHANNEL_KEY);
        SecretBox rotated = box(KEY_B, KEY_A);
        assertThat(rotated.open(sealedByA, SecretBox.CHANNEL_KEY)).isEqualTo("upstream");
        assertThat(rotated.sealedWithCurrentKey(sealedByA)).isFalse();
        assertThatThrownBy(() -> box(KEY_B).open(sealedByA, SecretBox.CHANNEL_KEY))
                .hasMessageContaining("neither gateway.secret-key").hasMessageContaining("previous-secret-keys");
    }

    @Test
    void theKeyIsRequiredAndMustBe32Bytes() {
        assertThatThrownBy(() -> box(null)).hasMessageContaining("GATEWAY_SECRET_KEY")
                .hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> box(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("decodes to 16 bytes (expected: 32");
        assertThatThrownBy(() -> box("not base64!")).hasMessageContaining("is not base64");
        assertThatThrownBy(() -> box(KEY_A, "short")).hasMessageContaining("gateway.previous-secret-keys[0]");
    }

    @Test
    void secretOptionsAreThoseNamingATokenOrASecret() {
        assertThat(SecretBox.isSecretOption("letaicode_admin_token")).isTrue();
        assertThat(SecretBox.isSecretOption("letaicode_webhook_secret")).isTrue();
        assertThat(SecretBox.isSecretOption("letaicode_domain")).isFalse();
    }
}
