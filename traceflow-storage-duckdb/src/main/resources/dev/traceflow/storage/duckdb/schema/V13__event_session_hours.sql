-- Per app and UTC hour, the event metrics' sums grouped by the events' sessions' dimensions and the
-- events' own filter columns (but path), so that an event metric broken down by a session
-- dimension over whole hours reads these rows instead of joining every event of the range to its
-- cached session (DuckDbEventSessionHours). Formed with the session cache's days
-- (DuckDbSessionCache), at the same versions and in the same transaction: a day's rows exist
-- exactly when session_cache_days holds the day.
--   s_<dimension> the event's session's value; for an event of no session, the event's own
--   release .. country the event's own columns, which filters compare
CREATE TABLE event_session_hours (
    app_id           VARCHAR   NOT NULL,
    day              DATE      NOT NULL,
    hour             TIMESTAMP NOT NULL,
    s_browser        VARCHAR,
    s_os             VARCHAR,
    s_device_type    VARCHAR,
    s_country        VARCHAR,
    s_traffic_source VARCHAR,
    release          VARCHAR,
    environment      VARCHAR,
    browser          VARCHAR,
    os               VARCHAR,
    device_type      VARCHAR,
    country          VARCHAR,
    events           BIGINT    NOT NULL,
    page_views       BIGINT    NOT NULL,
    conversions      BIGINT    NOT NULL,
    revenue          DOUBLE    NOT NULL
);
-- An event's session may start on the day before its own (within the horizon), and the cache keeps
-- only the sessions starting on its days: a cached day whose previous day holds events but is not
-- cached cannot get its rows here, so it is dropped from the cache and formed again when read.
CREATE TEMP TABLE uncovered_days AS
SELECT d.app_id, d.day
FROM session_cache_days d
WHERE NOT EXISTS (SELECT 1 FROM session_cache_days p WHERE p.app_id = d.app_id AND p.day = d.day - 1)
  AND EXISTS (SELECT 1 FROM events e WHERE e.app_id = d.app_id AND e.ts >= (d.day - 1)::TIMESTAMP AND e.ts < d.day::TIMESTAMP);
DELETE FROM session_cache s USING uncovered_days u WHERE s.app_id = u.app_id AND s.day = u.day;
DELETE FROM session_cache_days s USING uncovered_days u WHERE s.app_id = u.app_id AND s.day = u.day;
DROP TABLE uncovered_days;
-- the cached days' hours: each event with the cached session holding it (a client session by its
-- id, another by its user, between its start and end), as DuckDbEventSessionHours.form writes them
INSERT INTO event_session_hours
SELECT app_id, hour::DATE, hour, s_browser, s_os, s_device_type, s_country, s_traffic_source,
       release, environment, browser, os, device_type, country,
       count(*), count(*) FILTER (WHERE type = 'pageview'), count(*) FILTER (WHERE type IN ('conversion', 'purchase')),
       coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0)
FROM (
    SELECT e.app_id, date_trunc('hour', e.ts) AS hour,
           CASE WHEN s.id IS NOT NULL THEN s.browser ELSE e.browser END AS s_browser,
           CASE WHEN s.id IS NOT NULL THEN s.os ELSE e.os END AS s_os,
           CASE WHEN s.id IS NOT NULL THEN s.device_type ELSE e.device_type END AS s_device_type,
           CASE WHEN s.id IS NOT NULL THEN s.country ELSE e.country END AS s_country,
           CASE WHEN s.id IS NOT NULL THEN s.traffic_source ELSE e.traffic_source END AS s_traffic_source,
           e.release, e.environment, e.browser, e.os, e.device_type, e.country, e.type, e.value
    FROM events e
    JOIN session_cache_days d ON d.app_id = e.app_id AND d.day = e.ts::DATE
    LEFT JOIN session_cache s ON s.app_id = e.app_id AND s.client = (e.session_id IS NOT NULL)
         AND (CASE WHEN s.client THEN s.id ELSE s.who END) = coalesce(e.session_id, e.user_id, e.anonymous_id)
         AND e.ts >= s.start_ts AND e.ts <= s.end_ts
)
GROUP BY ALL
ORDER BY app_id, hour;
