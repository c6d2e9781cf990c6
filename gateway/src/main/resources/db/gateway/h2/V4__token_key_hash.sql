-- Token keys at rest (issue 11): only the SHA-256 of the key (hex, of the key without 'sk-') and its masked form
-- ('sk-' + first 4 + '*' + last 4) are kept; the plaintext column goes.
ALTER TABLE tokens ADD COLUMN key_hash VARCHAR(64);
ALTER TABLE tokens ADD COLUMN key_mask VARCHAR(80) NOT NULL DEFAULT '';
UPDATE tokens SET
    key_hash = LOWER(RAWTOHEX(HASH('SHA-256', CAST(key_value AS VARBINARY)))),
    key_mask = CASE WHEN LENGTH(key_value) <= 8 THEN 'sk-****'
                    ELSE CONCAT('sk-', LEFT(key_value, 4), REPEAT('*', GREATEST(4, LENGTH(key_value) - 8)), RIGHT(key_value, 4))
               END;
ALTER TABLE tokens DROP COLUMN key_value;
ALTER TABLE tokens ALTER COLUMN key_hash SET NOT NULL;
CREATE UNIQUE INDEX uk_tokens_key_hash ON tokens (key_hash);
