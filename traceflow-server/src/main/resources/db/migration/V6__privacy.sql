-- Privacy (issue 16, seed 002 "privacy and compliance"). Portable between H2 and PostgreSQL.

-- People who opted out of tracking, per app. The id is kept only as a SHA-256 hash of
-- "<kind>:<id>": enough to recognise and drop their future events, not enough to list who they are.
CREATE TABLE opt_outs (
    app_id         VARCHAR(64)  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    id_hash        VARCHAR(64)  NOT NULL,
    id_kind        VARCHAR(16)  NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_events BIGINT       NOT NULL,
    PRIMARY KEY (app_id, id_hash)
);

-- Whether an app drops the events of browsers that send Do Not Track (DNT: 1) or Global Privacy
-- Control (Sec-GPC: 1). No row: not honoured (the default, as in Plausible and PostHog).
CREATE TABLE app_privacy (
    app_id                VARCHAR(64) PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    honor_privacy_signals BOOLEAN     NOT NULL
);
