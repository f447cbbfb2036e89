-- Per app, UTC hour and event path, the event metrics' sums by each session dimension's value of
-- the events' sessions, so that an event metric broken down by a session dimension with a path
-- filter (and no other) reads these rows over whole hours instead of joining every event of the
-- range with that path to its cached session (DuckDbEventSessionHours). One row per value of one
-- dimension, not per combination of the five: a reader groups by one dimension, and the
-- combinations times the paths made as many rows as events. Formed with event_session_hours (same
-- join, versions, lock and transaction): a day's rows exist exactly when session_cache_days holds it.
--   path       the event's own path (events without one are left out: a path filter never matches them)
--   dim        the session dimension (browser, os, device_type, country, traffic_source)
--   dim_value  the event's session's value of it; for an event of no session, the event's own; NULL kept
CREATE TABLE event_session_path_hours (
    app_id      VARCHAR   NOT NULL,
    day         DATE      NOT NULL,
    hour        TIMESTAMP NOT NULL,
    path        VARCHAR   NOT NULL,
    dim         VARCHAR   NOT NULL,
    dim_value   VARCHAR,
    events      BIGINT    NOT NULL,
    page_views  BIGINT    NOT NULL,
    conversions BIGINT    NOT NULL,
    revenue     DOUBLE    NOT NULL
);
-- As in V13: an event's session may start on the day before its own, and the cache keeps only the
-- sessions starting on its days: a cached day whose previous day holds events but is not cached
-- cannot get its rows here, so it is dropped from the cache and formed again when read.
CREATE TEMP TABLE uncovered_days AS
SELECT d.app_id, d.day
FROM session_cache_days d
WHERE NOT EXISTS (SELECT 1 FROM session_cache_days p WHERE p.app_id = d.app_id AND p.day = d.day - 1)
  AND EXISTS (SELECT 1 FROM events e WHERE e.app_id = d.app_id AND e.ts >= (d.day - 1)::TIMESTAMP AND e.ts < d.day::TIMESTAMP);
DELETE FROM session_cache s USING uncovered_days u WHERE s.app_id = u.app_id AND s.day = u.day;
DELETE FROM session_cache_days s USING uncovered_days u WHERE s.app_id = u.app_id AND s.day = u.day;
DROP TABLE uncovered_days;
-- the cached days' hours: each event with a path and the cached session holding it (a client
-- session by its id, another by its user, between its start and end), as
-- DuckDbEventSessionHours.form writes them; in a grouping set exactly one dimension is grouped,
-- the others are NULL, so coalesce gives the grouped one's value (NULL when that is NULL)
INSERT INTO event_session_path_hours
SELECT app_id, hour::DATE, hour, path,
       CASE WHEN grouping(s_browser) = 0 THEN 'browser' WHEN grouping(s_os) = 0 THEN 'os'
            WHEN grouping(s_device_type) = 0 THEN 'device_type' WHEN grouping(s_country) = 0 THEN 'country'
            ELSE 'traffic_source' END,
       coalesce(s_browser, s_os, s_device_type, s_country, s_traffic_source),
       count(*), count(*) FILTER (WHERE type = 'pageview'), count(*) FILTER (WHERE type IN ('conversion', 'purchase')),
       coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0)
FROM (
    SELECT e.app_id, date_trunc('hour', e.ts) AS hour, e.path,
           CASE WHEN s.id IS NOT NULL THEN s.browser ELSE e.browser END AS s_browser,
           CASE WHEN s.id IS NOT NULL THEN s.os ELSE e.os END AS s_os,
           CASE WHEN s.id IS NOT NULL THEN s.device_type ELSE e.device_type END AS s_device_type,
           CASE WHEN s.id IS NOT NULL THEN s.country ELSE e.country END AS s_country,
           CASE WHEN s.id IS NOT NULL THEN s.traffic_source ELSE e.traffic_source END AS s_traffic_source,
           e.type, e.value
    FROM events e
    JOIN session_cache_days d ON d.app_id = e.app_id AND d.day = e.ts::DATE
    LEFT JOIN session_cache s ON s.app_id = e.app_id AND s.client = (e.session_id IS NOT NULL)
         AND (CASE WHEN s.client THEN s.id ELSE s.who END) = coalesce(e.session_id, e.user_id, e.anonymous_id)
         AND e.ts >= s.start_ts AND e.ts <= s.end_ts
    WHERE e.path IS NOT NULL
)
GROUP BY GROUPING SETS ((app_id, hour, path, s_browser), (app_id, hour, path, s_os), (app_id, hour, path, s_device_type),
                        (app_id, hour, path, s_country), (app_id, hour, path, s_traffic_source))
ORDER BY app_id, hour;
