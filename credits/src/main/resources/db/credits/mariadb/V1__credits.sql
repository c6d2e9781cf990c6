-- Credit platform schema. Amounts are BIGINT micro-credits (1 credit = 1,000,000); times are unix milliseconds.
CREATE TABLE users (
    id            VARCHAR(36)  PRIMARY KEY,
    email         VARCHAR(254) NOT NULL,
    name          VARCHAR(200) NOT NULL,
    balance       BIGINT       NOT NULL DEFAULT 0,  -- posted: sum of ledger_entries.amount
    held          BIGINT       NOT NULL DEFAULT 0,  -- sum of PENDING holds not yet finalised
    created_at_ms BIGINT       NOT NULL,
    CONSTRAINT uq_users_email UNIQUE (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE api_keys (
    id            VARCHAR(36)  PRIMARY KEY,
    user_id       VARCHAR(36)  NOT NULL REFERENCES users (id),
    label         VARCHAR(100) NOT NULL,
    key_hash      CHAR(64)     NOT NULL,           -- hex SHA-256 of the key without 'sk-'
    masked        VARCHAR(32)  NOT NULL,
    remote_key_id BIGINT,                          -- the gateway's token id
    status        VARCHAR(16)  NOT NULL,           -- PENDING, ACTIVE, DISABLED, FAILED, DELETED
    created_at_ms BIGINT       NOT NULL,
    updated_at_ms BIGINT       NOT NULL,
    CONSTRAINT uq_api_keys_hash UNIQUE (key_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX ix_api_keys_user ON api_keys (user_id);
CREATE INDEX ix_api_keys_remote ON api_keys (remote_key_id);
CREATE INDEX ix_api_keys_status ON api_keys (status, updated_at_ms);

CREATE TABLE holds (
    id              VARCHAR(36)  PRIMARY KEY,
    request_id      VARCHAR(128) NOT NULL,
    key_id          VARCHAR(36)  NOT NULL,
    user_id         VARCHAR(36)  NOT NULL,
    amount          BIGINT       NOT NULL,
    model           VARCHAR(128),
    status          VARCHAR(16)  NOT NULL,         -- PENDING, CAPTURED, RELEASED, EXPIRED
    created_at_ms   BIGINT       NOT NULL,
    expires_at_ms   BIGINT       NOT NULL,
    finalized_at_ms BIGINT,
    captured_amount BIGINT,
    event_id        VARCHAR(128),
    outcome         VARCHAR(32),                   -- outcome of the capture/release that finalised it
    CONSTRAINT uq_holds_request UNIQUE (request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX ix_holds_sweep ON holds (status, expires_at_ms);
CREATE INDEX ix_holds_user ON holds (user_id, status, expires_at_ms);

CREATE TABLE ledger_entries (
    id            BIGINT       AUTO_INCREMENT PRIMARY KEY,
    user_id       VARCHAR(36)  NOT NULL,
    type          VARCHAR(16)  NOT NULL,           -- RECHARGE, BONUS, REFUND, ADMIN_ADJUST, DEDUCT, CAPTURE
    amount        BIGINT       NOT NULL,           -- signed
    balance_after BIGINT       NOT NULL,
    ref           VARCHAR(160),
    description   VARCHAR(500),
    key_id        VARCHAR(36),
    hold_id       VARCHAR(36),
    event_id      VARCHAR(128),
    created_at_ms BIGINT       NOT NULL,
    CONSTRAINT uq_ledger_ref UNIQUE (ref)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX ix_ledger_user ON ledger_entries (user_id, id);

CREATE TABLE processed_events (
    event_id      VARCHAR(128) PRIMARY KEY,
    source        VARCHAR(16)  NOT NULL,           -- WEBHOOK or CAPTURE
    user_id       VARCHAR(36),
    amount        BIGINT       NOT NULL,
    created_at_ms BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE webhook_log (
    id             BIGINT       AUTO_INCREMENT PRIMARY KEY,
    event_id       VARCHAR(128),
    received_at_ms BIGINT       NOT NULL,
    outcome        VARCHAR(32)  NOT NULL,
    http_status    INT          NOT NULL,
    message        VARCHAR(500),
    body           TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX ix_webhook_log_event ON webhook_log (event_id);

CREATE TABLE credit_options (
    opt_key       VARCHAR(64)   PRIMARY KEY,
    opt_value     VARCHAR(1000) NOT NULL,
    updated_at_ms BIGINT        NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
