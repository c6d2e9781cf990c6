-- Gateway storage (MySQL 8 and MariaDB 10.6+; MariaDB runs this folder, see db.MigrationFolders). Names follow new-api where it has them.
CREATE TABLE users (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    username      VARCHAR(64)  NOT NULL UNIQUE,
    quota         BIGINT       NOT NULL DEFAULT 0,
    used_quota    BIGINT       NOT NULL DEFAULT 0,
    request_count BIGINT       NOT NULL DEFAULT 0,
    group_name    VARCHAR(64)  NOT NULL DEFAULT 'default',
    status        INT          NOT NULL DEFAULT 1,
    created_time  BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE tokens (
    id                   BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id              BIGINT       NOT NULL DEFAULT 0,
    key_value            VARCHAR(64)  NOT NULL UNIQUE,
    name                 VARCHAR(255) NOT NULL DEFAULT '',
    status               INT          NOT NULL DEFAULT 1,
    created_time         BIGINT       NOT NULL,
    accessed_time        BIGINT       NOT NULL DEFAULT 0,
    expired_time         BIGINT       NOT NULL DEFAULT -1,
    remain_quota         BIGINT       NOT NULL DEFAULT 0,
    unlimited_quota      BOOLEAN      NOT NULL DEFAULT FALSE,
    used_quota           BIGINT       NOT NULL DEFAULT 0,
    request_count        BIGINT       NOT NULL DEFAULT 0,
    model_limits_enabled BOOLEAN      NOT NULL DEFAULT FALSE,
    model_limits         TEXT         NOT NULL,
    allow_ips            TEXT         NOT NULL,
    group_name           VARCHAR(64)  NOT NULL DEFAULT '',
    source               VARCHAR(50)  NOT NULL DEFAULT 'native',
    remote_key_id        VARCHAR(64)  NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_tokens_source ON tokens (source);
-- One token per (source, remote key id): the idempotency of POST /api/token/ rests on it.
CREATE UNIQUE INDEX uk_tokens_remote_key ON tokens (remote_key_id, source);

CREATE TABLE channels (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    type          VARCHAR(32)  NOT NULL,
    name          VARCHAR(255) NOT NULL DEFAULT '',
    base_url      VARCHAR(512) NOT NULL,
    api_key       TEXT         NOT NULL,
    models        TEXT         NOT NULL,
    model_mapping TEXT         NOT NULL,
    priority      BIGINT       NOT NULL DEFAULT 0,
    weight        INT          NOT NULL DEFAULT 1,
    status        INT          NOT NULL DEFAULT 1,
    used_quota    BIGINT       NOT NULL DEFAULT 0,
    created_time  BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE options (
    option_key   VARCHAR(128) PRIMARY KEY,
    option_value TEXT         NOT NULL,
    updated_time BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE logs (
    id                BIGINT AUTO_INCREMENT PRIMARY KEY,
    created_at        BIGINT       NOT NULL,
    type              INT          NOT NULL,
    user_id           BIGINT       NOT NULL DEFAULT 0,
    token_id          BIGINT       NOT NULL DEFAULT 0,
    token_name        VARCHAR(255) NOT NULL DEFAULT '',
    model_name        VARCHAR(255) NOT NULL DEFAULT '',
    prompt_tokens     INT          NOT NULL DEFAULT 0,
    completion_tokens INT          NOT NULL DEFAULT 0,
    quota             BIGINT       NOT NULL DEFAULT 0,
    request_id        VARCHAR(64)  NOT NULL,
    is_stream         BOOLEAN      NOT NULL DEFAULT FALSE,
    use_time_ms       INT          NOT NULL DEFAULT 0,
    channel_id        BIGINT       NOT NULL DEFAULT 0,
    content           TEXT         NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX idx_logs_token_created ON logs (token_id, created_at);
CREATE INDEX idx_logs_request_id ON logs (request_id);
CREATE INDEX idx_logs_created ON logs (created_at);
