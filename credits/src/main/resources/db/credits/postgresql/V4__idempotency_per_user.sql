-- Idempotency keys are scoped per user (security review finding 14): a usage event id or an admin ref of one user
-- can no longer void, or answer 409 for, another user's. H2 runs this script too.
CREATE TABLE processed_user_events (
    user_id       VARCHAR(36)  NOT NULL,
    event_id      VARCHAR(128) NOT NULL,
    source        VARCHAR(16)  NOT NULL,           -- WEBHOOK, CAPTURE or LEASE
    amount        BIGINT       NOT NULL,
    created_at_ms BIGINT       NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
INSERT INTO processed_user_events (user_id, event_id, source, amount, created_at_ms)
    SELECT COALESCE(user_id, ''), event_id, source, amount, created_at_ms FROM processed_events;
DROP TABLE processed_events;
ALTER TABLE processed_user_events RENAME TO processed_events;

ALTER TABLE ledger_entries DROP CONSTRAINT uq_ledger_ref;
ALTER TABLE ledger_entries ADD CONSTRAINT uq_ledger_ref UNIQUE (user_id, ref);
