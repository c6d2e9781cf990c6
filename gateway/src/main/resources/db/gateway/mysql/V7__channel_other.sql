-- new-api's channels.other: the api-version of an azure channel (empty: the gateway's default).
ALTER TABLE channels ADD COLUMN other VARCHAR(255) NOT NULL DEFAULT '';
