-- Typed columns for what the answer queries filter and aggregate on, where reading the JSON `data`
-- column would parse it for every row. Added at the end: the Appender writes by position.
--   kind      errors: errorType; resources: initiatorType; conversions and purchases:
--             properties.conversionType (when a string)
--   metric_id web vitals: the web-vitals library's metric id (repeated reports of one id keep the
--             last value)
-- and `value` now also holds a conversion's or purchase's properties.revenue (when a number).
ALTER TABLE events ADD COLUMN kind VARCHAR;
ALTER TABLE events ADD COLUMN metric_id VARCHAR;
UPDATE events SET kind = json_extract_string(data, '$.errorType') WHERE type = 'error';
UPDATE events SET kind = json_extract_string(data, '$.initiatorType') WHERE type = 'resource';
UPDATE events SET metric_id = json_extract_string(data, '$.metricId') WHERE type = 'web-vital';
UPDATE events SET
    kind = CASE WHEN json_type(properties, '$.conversionType') = 'VARCHAR'
                THEN json_extract_string(properties, '$.conversionType') END,
    value = CASE WHEN json_type(properties, '$.revenue') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                 THEN CAST(json_extract(properties, '$.revenue') AS DOUBLE) END
WHERE type IN ('conversion', 'purchase');
