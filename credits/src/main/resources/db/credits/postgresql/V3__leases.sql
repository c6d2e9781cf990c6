-- Credit leases (SPEC 4.4): one hold of a user's credit for one gateway instance (owner), spent by that instance
-- locally and settled in batches. An ACTIVE lease's amount is counted in users.held, like a PENDING hold's.
-- Every change of a lease row happens with the user's row locked (SELECT .. FOR UPDATE) first.
CREATE TABLE leases (
    id              VARCHAR(36)  PRIMARY KEY,
    user_id         VARCHAR(36)  NOT NULL,
    owner           VARCHAR(64)  NOT NULL,          -- the gateway instance
    active_owner    VARCHAR(64),                    -- owner while ACTIVE, NULL after: one ACTIVE lease per (user, owner)
    key_id          VARCHAR(36)  NOT NULL,          -- the key the lease was opened with
    amount          BIGINT       NOT NULL,          -- unspent credit it holds (0 once RELEASED or EXPIRED)
    spent           BIGINT       NOT NULL DEFAULT 0, -- settled through it
    status          VARCHAR(16)  NOT NULL,          -- ACTIVE, RELEASED, EXPIRED
    created_at_ms   BIGINT       NOT NULL,
    refreshed_at_ms BIGINT       NOT NULL,
    expires_at_ms   BIGINT       NOT NULL,
    finalized_at_ms BIGINT,
    CONSTRAINT uq_leases_active UNIQUE (user_id, active_owner)
);
CREATE INDEX ix_leases_sweep ON leases (status, expires_at_ms);
CREATE INDEX ix_leases_user ON leases (user_id, status, expires_at_ms);

-- An admin lowering a user's credit below what is available marks the user recalled until until_ms: leases of
-- that user shrink to what is in use on their next refresh and do not grow. One row per waiting adjustment.
CREATE TABLE lease_recalls (
    id       VARCHAR(36) PRIMARY KEY,
    user_id  VARCHAR(36) NOT NULL,
    until_ms BIGINT      NOT NULL
);
CREATE INDEX ix_lease_recalls_user ON lease_recalls (user_id, until_ms);

-- LEASE_CHARGE entries name the lease they were settled through.
ALTER TABLE ledger_entries ADD COLUMN lease_id VARCHAR(36);
