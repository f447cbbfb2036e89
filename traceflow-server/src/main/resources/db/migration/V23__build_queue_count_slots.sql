-- Builds (issue 21): the kept count of queued builds (V22) in 16 rows per project instead of one (a slotted
-- counter, JdbcQueueCounts). A trigger, claim, cancel or re-queue moves one slot, chosen at random, and holds
-- that row until its commit: with one row, every trigger of a busy project waited for the previous one's
-- commit (on PostgreSQL, its WAL flush). Only the sum of a project's slots means anything. A project's present
-- count moves to slot 0. Rebuilt under a new name and renamed back, as a primary key changes alike on H2 and
-- PostgreSQL that way. The slot count (16) is JdbcQueueCounts.SLOTS.
CREATE TABLE build_queue_slots (
    project_id VARCHAR(36) NOT NULL REFERENCES build_projects (id) ON DELETE CASCADE,
    slot       INTEGER     NOT NULL,
    queued     BIGINT      NOT NULL,
    PRIMARY KEY (project_id, slot)
);
INSERT INTO build_queue_slots (project_id, slot, queued)
    SELECT c.project_id, s.slot, CASE WHEN s.slot = 0 THEN c.queued ELSE 0 END
    FROM build_queue_counts c
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15)) AS s (slot);
DROP TABLE build_queue_counts;
ALTER TABLE build_queue_slots RENAME TO build_queue_counts;
