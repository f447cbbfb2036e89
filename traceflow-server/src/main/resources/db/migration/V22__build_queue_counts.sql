-- Builds (issue 21): how many builds of each project are queued, kept by the transactions that queue,
-- claim, cancel and re-queue them (JdbcBuilds). A trigger's capacity check (the build.queueCapacity
-- setting) sums these rows, one per project, instead of counting the queued builds on every trigger, which
-- cost more the longer the queue grew. A project's row goes with the project (and its app), as its builds do.
-- Portable between H2 and PostgreSQL.
CREATE TABLE build_queue_counts (
    project_id VARCHAR(36) PRIMARY KEY REFERENCES build_projects (id) ON DELETE CASCADE,
    queued     BIGINT      NOT NULL
);
INSERT INTO build_queue_counts (project_id, queued)
    SELECT p.id, (SELECT count(*) FROM builds b WHERE b.project_id = p.id AND b.status = 'queued') FROM build_projects p;
