-- How far the server's ingest journal has been loaded into this table: the position of the last
-- journal record whose events were committed here, written in the same transaction as those
-- events. After a crash the journal replays only the records after it, so nothing is stored twice
-- and nothing acknowledged is missing. One row; -1 before anything was loaded from a journal.
CREATE TABLE journal_position (position BIGINT NOT NULL);
INSERT INTO journal_position VALUES (-1);
