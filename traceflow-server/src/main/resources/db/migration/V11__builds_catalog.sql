-- Builds, part 1 (issue 20, seed 003 "数据库设计"): credentials, git sources and their versions,
-- templates with their bound sources, projects and config instances, typed build settings.
-- Portable between H2 and PostgreSQL: standard types only; JSON kept as text the server writes
-- (VARCHAR(1048576): H2's largest VARCHAR, well below PostgreSQL's; the server enforces smaller limits).

-- A secret for reaching a git server: an HTTPS token (with the user name to send it as) or an SSH
-- private key. secret_sealed: sealed with the master key (AES-GCM, the credential id as associated
-- data); never answered, logged or audited. rotated_at: when the secret was last replaced.
CREATE TABLE build_credentials (
    id            VARCHAR(36)   PRIMARY KEY,
    name          VARCHAR(100)  NOT NULL UNIQUE,
    type          VARCHAR(16)   NOT NULL,
    username      VARCHAR(200),
    secret_sealed VARCHAR(16384) NOT NULL,
    scope         VARCHAR(200),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    rotated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A repository the platform builds from. repo_url: as the SSRF guard normalised it.
-- exposed_schema: the JSON Schema that configs of templates using this source are checked against.
CREATE TABLE git_sources (
    id             VARCHAR(36)   PRIMARY KEY,
    name           VARCHAR(100)  NOT NULL UNIQUE,
    repo_url       VARCHAR(2048) NOT NULL,
    default_branch VARCHAR(255),
    credential_id  VARCHAR(36)   REFERENCES build_credentials (id),
    exposed_schema VARCHAR(1048576),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Versions registered from the repository: its tags, and the default branch's recent commits.
-- commit_sha: the commit the tag or commit names (annotated tags peeled).
CREATE TABLE source_versions (
    id             VARCHAR(36)   PRIMARY KEY,
    git_source_id  VARCHAR(36)   NOT NULL REFERENCES git_sources (id) ON DELETE CASCADE,
    kind           VARCHAR(8)    NOT NULL,
    tag_or_commit  VARCHAR(255)  NOT NULL,
    commit_sha     CHAR(40)      NOT NULL,
    summary        VARCHAR(1000),
    changelog      VARCHAR(1048576),
    usable         BOOLEAN       NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT source_versions_ref UNIQUE (git_source_id, tag_or_commit)
);

CREATE TABLE build_templates (
    id          VARCHAR(36)   PRIMARY KEY,
    name        VARCHAR(100)  NOT NULL UNIQUE,
    deploy_type VARCHAR(64)   NOT NULL,
    description VARCHAR(2000),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A git source bound to a template. version_strategy, dependencies (git source ids) and build
-- (command as an argument list, artifacts, timeout, network) are JSON.
CREATE TABLE template_sources (
    id               VARCHAR(36)   PRIMARY KEY,
    template_id      VARCHAR(36)   NOT NULL REFERENCES build_templates (id) ON DELETE CASCADE,
    git_source_id    VARCHAR(36)   NOT NULL REFERENCES git_sources (id),
    version_strategy VARCHAR(2000) NOT NULL,
    build_order      INTEGER       NOT NULL,
    dependencies     VARCHAR(20000) NOT NULL,
    build            VARCHAR(20000) NOT NULL,
    CONSTRAINT template_sources_once UNIQUE (template_id, git_source_id)
);

-- A project belongs to one app, whose roles apply to it and its configs.
CREATE TABLE build_projects (
    id          VARCHAR(36)   PRIMARY KEY,
    app_id      VARCHAR(64)   NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name        VARCHAR(100)  NOT NULL,
    customer    VARCHAR(200),
    environment VARCHAR(64),
    template_id VARCHAR(36)   NOT NULL REFERENCES build_templates (id),
    owner_id    VARCHAR(36)   NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT build_projects_name UNIQUE (app_id, name)
);
CREATE INDEX build_projects_app ON build_projects (app_id);

-- A config of a project. content_hash: sha256 of the canonical JSON of env, config and
-- replacements, so that saving the same config twice is found (409 with the existing id).
-- snapshot_hash: set by validation (template, resolved commits, config, replacements).
CREATE TABLE config_instances (
    id                VARCHAR(36)   PRIMARY KEY,
    project_id        VARCHAR(36)   NOT NULL REFERENCES build_projects (id) ON DELETE CASCADE,
    template_id       VARCHAR(36)   NOT NULL REFERENCES build_templates (id),
    env               VARCHAR(64)   NOT NULL,
    config            VARCHAR(1048576) NOT NULL,
    file_replacements VARCHAR(1048576) NOT NULL,
    text_replacements VARCHAR(1048576) NOT NULL,
    content_hash      CHAR(64)      NOT NULL,
    validated         BOOLEAN       NOT NULL,
    snapshot_hash     CHAR(64),
    resolved_versions VARCHAR(20000),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT config_instances_content UNIQUE (project_id, content_hash)
);

-- Typed platform settings of the builds (e.g. build concurrency); value as JSON text.
CREATE TABLE build_settings (
    name          VARCHAR(100)  PRIMARY KEY,
    setting_value VARCHAR(4000) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
