-- Typed columns for what /api/user-behavior/heatmap places on its grid: a click's page coordinates
-- and viewport. Read from `data`, the heatmap decompressed the zstd JSON column for nearly every
-- vector of the range (clicks are spread among the other events) and parsed each click's JSON eight
-- times (a type check and an extraction per field). Added at the end: the Appender writes by
-- position. Existing clicks are filled from their JSON, as new ones are by the writer: a JSON number
-- as a DOUBLE, anything else (a missing field, NaN or an infinity, which the JSON holds as a
-- string) as NULL.
ALTER TABLE events ADD COLUMN click_x DOUBLE;
ALTER TABLE events ADD COLUMN click_y DOUBLE;
ALTER TABLE events ADD COLUMN viewport_width DOUBLE;
ALTER TABLE events ADD COLUMN viewport_height DOUBLE;
UPDATE events SET
    click_x = CASE WHEN json_type(data, '$.x') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                   THEN CAST(json_extract(data, '$.x') AS DOUBLE) END,
    click_y = CASE WHEN json_type(data, '$.y') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                   THEN CAST(json_extract(data, '$.y') AS DOUBLE) END,
    viewport_width = CASE WHEN json_type(data, '$.viewportWidth') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                          THEN CAST(json_extract(data, '$.viewportWidth') AS DOUBLE) END,
    viewport_height = CASE WHEN json_type(data, '$.viewportHeight') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                           THEN CAST(json_extract(data, '$.viewportHeight') AS DOUBLE) END
WHERE type = 'click';
