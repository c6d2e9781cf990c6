-- Channel health (new-api's automatic disabling): why and when a channel's status last changed (status 3 = disabled
-- automatically after repeated failures), when it was last tested (claims the background probe across instances)
-- and how long that probe took in milliseconds.
ALTER TABLE channels ADD COLUMN status_reason VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN status_time BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN test_time BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN response_time INT NOT NULL DEFAULT 0;
