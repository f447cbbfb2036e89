-- Long-lived API tokens for scripts and CI (issue 18 item 12). Portable between H2 and PostgreSQL.

-- A user's token, stored only as the SHA-256 of "tft_..." (like ingest keys). admin and apps are
-- the token's roles (apps: JSON object app id -> viewer | editor | owner); they only ever lower the
-- user's current roles. last_used_at is written at most once a minute per token.
-- Revoking deletes the row (the audit trail keeps the record); deleting the user deletes their tokens.
CREATE TABLE api_tokens (
    id           VARCHAR(36)   PRIMARY KEY,
    user_id      VARCHAR(36)   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         VARCHAR(64)   NOT NULL,
    token_hash   CHAR(64)      NOT NULL UNIQUE,
    prefix       VARCHAR(16)   NOT NULL,
    admin        BOOLEAN       NOT NULL,
    apps         VARCHAR(8000) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
