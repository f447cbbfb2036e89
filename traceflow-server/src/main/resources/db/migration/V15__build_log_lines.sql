-- Builds, part 2 (issue 21, item 6): every build's log, line by line. Portable between H2 and PostgreSQL.
-- No foreign key to builds: the log store and the build queue are separate parts of the builds feature, and
-- a log that outlives its build row (until pruned) is harmless.

-- One stored, already masked log line. cursor: gapless from 1 per build, in the order lines were stored
-- (what readers and followers resume from). (attempt, seq): the writing worker's own number of the line
-- within its attempt, so that a resend after a timeout stores nothing twice.
CREATE TABLE build_log_lines (
    build_id VARCHAR(36)   NOT NULL,
    cursor   BIGINT        NOT NULL,
    attempt  INTEGER       NOT NULL,
    seq      BIGINT        NOT NULL,
    ts       TIMESTAMP WITH TIME ZONE NOT NULL,
    level    VARCHAR(8)    NOT NULL,
    stage    VARCHAR(16)   NOT NULL,
    line     VARCHAR(32768) NOT NULL,
    PRIMARY KEY (build_id, cursor),
    CONSTRAINT build_log_lines_attempt_seq UNIQUE (build_id, attempt, seq)
);
