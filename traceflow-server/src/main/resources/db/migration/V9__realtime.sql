-- Realtime (issue 19). Portable between H2 and PostgreSQL: standard types only.

-- An app's realtime keys, stored only as the SHA-256 of the key (shown once, at creation).
-- kind 'server': a backend's secret, publishes with POST /api/realtime/publish (trs_...).
-- kind 'browser': public, lets anonymous browser pages connect to /ws with what the topic rules
-- grant anonymous clients (trb_...). Revoking sets revoked_at; deleting the app deletes its keys.
CREATE TABLE realtime_keys (
    id         VARCHAR(36) PRIMARY KEY,
    app_id     VARCHAR(64) NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    kind       VARCHAR(16) NOT NULL,
    key_hash   CHAR(64)    NOT NULL UNIQUE,
    key_prefix VARCHAR(16) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX realtime_keys_app ON realtime_keys (app_id);

-- An app's topic rules, in order: the first whose pattern matches a topic decides who may subscribe
-- and publish (anonymous | viewer | editor | owner | server: that level and above) and whether the
-- topic is volatile. An app without rows has the default rule (README "Realtime").
CREATE TABLE realtime_topic_rules (
    app_id      VARCHAR(64)  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    position    INTEGER      NOT NULL,
    pattern     VARCHAR(128) NOT NULL,
    subscribe   VARCHAR(16)  NOT NULL,
    publish     VARCHAR(16)  NOT NULL,
    is_volatile BOOLEAN      NOT NULL,
    PRIMARY KEY (app_id, position)
);
