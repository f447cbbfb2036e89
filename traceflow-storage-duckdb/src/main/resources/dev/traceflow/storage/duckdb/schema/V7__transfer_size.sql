-- A typed column for what /api/performance/resources averages: a resource event's transferSize
-- (bytes). Read from `data`, it made the query decompress the zstd JSON column for nearly every
-- vector of the range (resource events are spread among the others) and parse it for every resource
-- event. Added at the end: the Appender writes by position. Existing resource events are filled
-- from their JSON, as new ones are by the writer (a number, else NULL).
ALTER TABLE events ADD COLUMN transfer_size DOUBLE;
UPDATE events SET transfer_size = CASE WHEN json_type(data, '$.transferSize') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                                       THEN CAST(json_extract(data, '$.transferSize') AS DOUBLE) END
WHERE type = 'resource';
