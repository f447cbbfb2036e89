-- Which closed time ranges of an app the background compaction (DuckDbCompactor) has rewritten in
-- (type, ts) order, and how many rows each held then. Rows arrive in arrival order, every row group
-- holding every app and type, so DuckDB's row-group min/max could skip by time only; a rewritten
-- range keeps one app's rows together, one type after the other, so a scan for one app's one type
-- skips the rest. A range is a whole UTC day (first_day, days = 1), or a whole ISO week (first_day a
-- Monday, days = 7) once the week has ended, which replaces its days' rows here. A range is rewritten
-- again when it holds enough rows more than `row_count` (late events, appended unsorted).
-- Written by the compaction, in the transaction that rewrites the range, and by the writer's deletes
-- in theirs: deleting an app's events or retention's forget the ranges they empty, a user's delete
-- (opt-out) lowers the counts of the ranges it touches (DuckDbRangeRewrite).
CREATE TABLE compacted_ranges (
    app_id    VARCHAR NOT NULL,
    first_day DATE    NOT NULL,
    days      INTEGER NOT NULL,
    row_count BIGINT  NOT NULL
);
-- Sessions now take the events of one time in type order, then storage order (a rewritten range
-- keeps storage order only within a type): days cached before were formed by storage order alone,
-- so the cache starts empty and is formed again.
DELETE FROM session_cache;
DELETE FROM session_cache_days;
