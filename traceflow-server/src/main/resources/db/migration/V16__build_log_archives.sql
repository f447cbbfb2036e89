-- Builds, part 2 (issue 21, item 6): a build's log once the build ended. Its row says the log is complete
-- (readers answer done:true, followers get end), where the archive file is (logs_ref, relative to the
-- log directory), and what it holds. lines_pruned: the rows of build_log_lines were deleted after the
-- archive was written (traceflow.builds.logs.prune-archived); reads then come from the archive.
CREATE TABLE build_log_archives (
    build_id     VARCHAR(36)  PRIMARY KEY,
    status       VARCHAR(16)  NOT NULL,
    logs_ref     VARCHAR(512) NOT NULL,
    lines        BIGINT       NOT NULL,
    bytes        BIGINT       NOT NULL,
    sha256       CHAR(64)     NOT NULL,
    lines_pruned BOOLEAN      NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
