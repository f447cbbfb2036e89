-- Metadata schema, portable between H2 (default) and PostgreSQL: standard types only.
CREATE TABLE apps (
    id             VARCHAR(64)  PRIMARY KEY,
    name           VARCHAR(200) NOT NULL,
    retention_days INTEGER      NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Origins allowed to send browser ingest for the app; '*' allows any.
CREATE TABLE app_allowed_origins (
    app_id VARCHAR(64)  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    origin VARCHAR(255) NOT NULL,
    PRIMARY KEY (app_id, origin)
);

-- Ingest keys are stored as SHA-256 hex of the key: the key itself is shown once, at creation.
CREATE TABLE ingest_keys (
    id         VARCHAR(36) PRIMARY KEY,
    app_id     VARCHAR(64) NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    key_hash   CHAR(64)    NOT NULL UNIQUE,
    key_prefix VARCHAR(16) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ingest_keys_app ON ingest_keys (app_id);

-- Ingest outcomes per app, hour and outcome (accepted, invalid, sampled_out, bot, ...).
CREATE TABLE ingest_outcomes (
    app_id  VARCHAR(64) NOT NULL,
    bucket_hour TIMESTAMP WITH TIME ZONE NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    events  BIGINT      NOT NULL,
    PRIMARY KEY (app_id, bucket_hour, outcome)
);
