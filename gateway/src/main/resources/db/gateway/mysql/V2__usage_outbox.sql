-- The usage outbox (CREDIT-MODES.md): one row per charge the credit platform must receive, written before the
-- upstream call (status INTENT), turned into the final charge at settlement (PENDING), delivered by a background
-- worker (DELIVERED) or given up after the last retry (FAILED, replayable). Times are unix milliseconds.
CREATE TABLE usage_events (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    event_id        VARCHAR(128)  NOT NULL,
    kind            VARCHAR(16)   NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    token_id        BIGINT        NOT NULL,
    remote_key_id   VARCHAR(64),
    hold_id         VARCHAR(64),
    payload         TEXT          NOT NULL,
    attempts        INT           NOT NULL DEFAULT 0,
    next_attempt_at BIGINT        NOT NULL,
    last_error      VARCHAR(1000),
    claimed_by      VARCHAR(64),
    claimed_until   BIGINT        NOT NULL DEFAULT 0,
    created_at      BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL,
    CONSTRAINT uq_usage_events_event_id UNIQUE (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_usage_events_due ON usage_events (status, next_attempt_at);
