package dev.creditgate.gateway.secret;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * At start, before the gateway serves: every upstream channel key and every secret option (see
 * {@link SecretBox#isSecretOption}) that is stored in plain text (rows from before encryption) or sealed with a
 * previous key is sealed with the current {@code gateway.secret-key}; every sealed value is opened once, so a wrong
 * or missing key stops the start with the field it failed on instead of failing requests later. Idempotent; each row
 * is changed only if it still holds the value read (several instances may start at once).
 */
@Component
class SecretsAtRest {

    private static final Logger log = LoggerFactory.getLogger(SecretsAtRest.class);

    private final JdbcClient jdbc;
    private final SecretBox box;

    SecretsAtRest(JdbcClient jdbc, SecretBox box) {
        this.jdbc = jdbc;
        this.box = box;
        sealAll();
    }

    /** @return how many values were sealed (again) */
    int sealAll() {
        int channels = 0;
        for (var row : jdbc.sql("SELECT id, api_key FROM channels").query((rs, n) -> new Row(rs.getLong(1), null,
                rs.getString(2))).list()) {
            String plain = box.open(row.value(), "channel " + row.id() + " key", SecretBox.CHANNEL_KEY);
            if (!box.sealedWithCurrentKey(row.value())) {
                channels += jdbc.sql("UPDATE channels SET api_key = ? WHERE id = ? AND api_key = ?")
                        .params(box.seal(plain, SecretBox.CHANNEL_KEY), row.id(), row.value()).update();
            }
        }
        int options = 0;
        for (var row : jdbc.sql("SELECT option_key, option_value FROM options").query((rs, n) -> new Row(0,
                rs.getString(1), rs.getString(2))).list()) {
            if (!SecretBox.isSecretOption(row.key()) || row.value().isEmpty()) {
                continue;
            }
            String context = SecretBox.optionContext(row.key());
            String plain = box.open(row.value(), "option " + row.key(), context);
            if (!box.sealedWithCurrentKey(row.value())) {
                options += jdbc.sql("UPDATE options SET option_value = ? WHERE option_key = ? AND option_value = ?")
                        .params(box.seal(plain, context), row.key(), row.value()).update();
            }
        }
        if (channels + options > 0) {
            log.info("secrets at rest: sealed {} channel keys and {} secret options with key id {}", channels, options,
                    box.currentKeyId());
        }
        return channels + options;
    }

    private record Row(long id, String key, String value) {}
}
