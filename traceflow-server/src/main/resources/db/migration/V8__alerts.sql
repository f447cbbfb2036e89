-- Alerts (issue 22): channels, rules with their evaluation state, incidents, deliveries, silences.
-- Portable between H2 and PostgreSQL: standard types only; JSON kept as text the server writes.

-- Where notifications go. secret_sealed: a webhook's HMAC secret, sealed with the master key
-- (AES-GCM, the channel id as associated data); never answered after creation.
CREATE TABLE alert_channels (
    id            VARCHAR(36)   PRIMARY KEY,
    app_id        VARCHAR(64)   NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    type          VARCHAR(16)   NOT NULL,
    name          VARCHAR(100)  NOT NULL,
    url           VARCHAR(2048),
    secret_sealed VARCHAR(512),
    email_to      VARCHAR(2000),
    topic         VARCHAR(200),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX alert_channels_app ON alert_channels (app_id);

-- A rule and, for threshold and anomaly rules, where its evaluation stands:
--   state              ok | pending | firing | error (event-driven rules stay ok: each error group
--                      is an incident of its own)
--   state_since        when the state last changed (pending: when the condition started to hold)
--   next_evaluation_at when the scheduler runs it next; claimed by moving it forward, so two
--                      servers never evaluate one rule in the same round
--   last_resolved_at   end of the last incident: a new one waits for the cooldown after it
CREATE TABLE alert_rules (
    id                 VARCHAR(36)   PRIMARY KEY,
    app_id             VARCHAR(64)   NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name               VARCHAR(200)  NOT NULL,
    kind               VARCHAR(32)   NOT NULL,
    filters            VARCHAR(4000) NOT NULL,
    metric             VARCHAR(200),
    window_seconds     BIGINT,
    comparison         VARCHAR(4),
    threshold          DOUBLE PRECISION,
    for_seconds        BIGINT        NOT NULL,
    min_samples        BIGINT        NOT NULL,
    interval_seconds   BIGINT        NOT NULL,
    cooldown_seconds   BIGINT        NOT NULL,
    anomaly_factor     DOUBLE PRECISION,
    anomaly_weeks      INTEGER,
    channel_ids        VARCHAR(2000) NOT NULL,
    enabled            BOOLEAN       NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    state              VARCHAR(16)   NOT NULL,
    state_since        TIMESTAMP WITH TIME ZONE,
    next_evaluation_at TIMESTAMP WITH TIME ZONE,
    last_evaluated_at  TIMESTAMP WITH TIME ZONE,
    last_value         DOUBLE PRECISION,
    last_error         VARCHAR(1000),
    last_resolved_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX alert_rules_app ON alert_rules (app_id);
CREATE INDEX alert_rules_due ON alert_rules (next_evaluation_at);

-- One incident per firing of a rule (per error group for event-driven rules: subject = group id).
CREATE TABLE alert_incidents (
    id          VARCHAR(36)   PRIMARY KEY,
    rule_id     VARCHAR(36)   NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    app_id      VARCHAR(64)   NOT NULL,
    subject     VARCHAR(64),
    title       VARCHAR(500)  NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at TIMESTAMP WITH TIME ZONE,
    measured    DOUBLE PRECISION,
    acked_at    TIMESTAMP WITH TIME ZONE,
    acked_by    VARCHAR(36)
);
CREATE INDEX alert_incidents_app_started ON alert_incidents (app_id, started_at);
CREATE INDEX alert_incidents_rule_subject ON alert_incidents (rule_id, subject, state);

-- One notification of an incident (its firing or its resolution) to one channel, and how it went:
-- status pending | delivered | failed | silenced | skipped (channel gone or not configured).
CREATE TABLE alert_deliveries (
    id              VARCHAR(36)  PRIMARY KEY,
    incident_id     VARCHAR(36)  NOT NULL REFERENCES alert_incidents (id) ON DELETE CASCADE,
    channel_id      VARCHAR(36)  NOT NULL,
    channel_type    VARCHAR(16)  NOT NULL,
    event           VARCHAR(16)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    attempts        INTEGER      NOT NULL,
    detail          VARCHAR(500),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    last_attempt_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX alert_deliveries_incident ON alert_deliveries (incident_id);

-- Notifications held back until ends_at: for one rule, or for every rule of the app (rule_id null).
CREATE TABLE alert_silences (
    id         VARCHAR(36)  PRIMARY KEY,
    app_id     VARCHAR(64)  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    rule_id    VARCHAR(36)  REFERENCES alert_rules (id) ON DELETE CASCADE,
    reason     VARCHAR(500),
    starts_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by VARCHAR(36),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX alert_silences_app ON alert_silences (app_id, ends_at);
