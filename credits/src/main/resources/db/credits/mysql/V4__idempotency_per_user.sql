-- Idempotency keys are scoped per user (security review finding 14): a usage event id or an admin ref of one user
-- can no longer void, or answer 409 for, another user's. MariaDB runs this script too.
CREATE TABLE processed_user_events (
    user_id       VARCHAR(36)  NOT NULL,
    event_id      VARCHAR(128) NOT NULL,
    source        VARCHAR(16)  NOT NULL,           -- WEBHOOK, CAPTURE or LEASE
    amount        BIGINT       NOT NULL,
    created_at_ms BIGINT       NOT NULL,
    PRIMARY KEY (user_id, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO processed_user_events (user_id, event_id, source, amount, created_at_ms)
    SELECT COALESCE(user_id, ''), event_id, source, amount, created_at_ms FROM processed_events;
DROP TABLE processed_events;
RENAME TABLE processed_user_events TO processed_events;

ALTER TABLE ledger_entries DROP INDEX uq_ledger_ref, ADD CONSTRAINT uq_ledger_ref UNIQUE (user_id, ref);
