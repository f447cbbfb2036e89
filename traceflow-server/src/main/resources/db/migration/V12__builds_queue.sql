-- Builds, part 2 (issue 21): the builds themselves, which are also the queue the workers claim from.
-- Portable between H2 and PostgreSQL: standard types only, JSON kept as text the server writes.

-- One build. Its inputs are frozen when it is triggered (inputs: the config, replacements, template
-- bindings and resolved commits as JSON), so a retry or a rollback runs exactly what its parent ran even
-- after the config changed. config_id has no foreign key for the same reason: the config may go, the
-- build stays.
--
-- The queue: status 'queued' builds are claimed by a conditional UPDATE (status = 'queued' AND attempt =
-- the attempt read), which raises attempt and sets a lease (lease_owner, lease_until). Every later write of
-- the worker names its attempt: once the reaper re-queued the build (lease expired) the old attempt's
-- writes match no row and are refused.
--
-- active_snapshot: the snapshot hash while the build is queued or running, NULL afterwards; the unique
-- key on (project_id, active_snapshot) keeps two triggers of one snapshot from both queueing (NULLs are
-- distinct in both databases, and H2 has no partial indexes).
CREATE TABLE builds (
    id               VARCHAR(36)   PRIMARY KEY,
    project_id       VARCHAR(36)   NOT NULL REFERENCES build_projects (id) ON DELETE CASCADE,
    config_id        VARCHAR(36)   NOT NULL,
    app_id           VARCHAR(64)   NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    kind             VARCHAR(16)   NOT NULL,
    parent_id        VARCHAR(36)   REFERENCES builds (id),
    snapshot_hash    CHAR(64)      NOT NULL,
    active_snapshot  CHAR(64),
    resolved_versions VARCHAR(20000) NOT NULL,
    inputs           VARCHAR(1048576) NOT NULL,
    attempt          INTEGER       NOT NULL,
    max_attempts     INTEGER       NOT NULL,
    lease_owner      VARCHAR(200),
    lease_until      TIMESTAMP WITH TIME ZONE,
    cancel_requested BOOLEAN       NOT NULL,
    triggered_by     VARCHAR(36),
    queued_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    failure_reason   VARCHAR(32),
    failure_message  VARCHAR(2000),
    logs_ref         VARCHAR(1000),
    artifact_ref     VARCHAR(1000),
    artifact_sha256  CHAR(64),
    artifact_size    BIGINT,
    release_name     VARCHAR(200),
    CONSTRAINT builds_one_active_snapshot UNIQUE (project_id, active_snapshot)
);
CREATE INDEX builds_queue ON builds (status, queued_at);
CREATE INDEX builds_project ON builds (project_id, status);
CREATE INDEX builds_app_release ON builds (app_id, release_name);

-- The steps of a build (fetch, replace, build, package, output, verify) with their times; rewritten by
-- each attempt.
CREATE TABLE build_stages (
    build_id    VARCHAR(36)   NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    position    INTEGER       NOT NULL,
    name        VARCHAR(16)   NOT NULL,
    status      VARCHAR(16)   NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE,
    finished_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (build_id, position)
);
