-- What an overview with no filter or one filter (DuckDbOverviewHours) reads instead of grouping a
-- range's cached sessions by user and scanning its sessions and events:
--
-- session_cache.user_prev: the start of the same user's previous cached session (in start_ts,
--   then id order; NULL for the user's first). A user's first session in a range is the one whose
--   user_prev is NULL or before the range, so visitors and new users are counts of rows, not a
--   grouping by user. user_prev_<filter> is the same among the user's sessions with the same value
--   of that filter's session column (path: entry_page), for an overview with that filter.
--   DuckDbSessionCache keeps them exact when it forms days (DuckDbOverviewHours).
-- overview_hours: per app and UTC hour, the overview's sums over the cached sessions that start in
--   the hour and over the events of the hour: all of them (dim and dim_value ''), and those of
--   each value of each filter (dim: the filter's column; sessions by their column, events by their own).
--   Rows of a day are formed with the day's sessions, in the same transaction, so they are as
--   current as the day's session_cache rows; a range reads its whole hours here and its partial
--   edge hours from the cached rows and the events.
ALTER TABLE session_cache ADD COLUMN user_prev TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_release TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_environment TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_path TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_browser TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_os TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_device_type TIMESTAMP;
ALTER TABLE session_cache ADD COLUMN user_prev_country TIMESTAMP;
UPDATE session_cache AS s
SET user_prev = m.p, user_prev_release = m.p_release, user_prev_environment = m.p_environment,
    user_prev_path = m.p_path, user_prev_browser = m.p_browser, user_prev_os = m.p_os,
    user_prev_device_type = m.p_device_type, user_prev_country = m.p_country
FROM (
    SELECT app_id, who, id, start_ts,
           lag(start_ts) OVER (PARTITION BY app_id, who ORDER BY start_ts, id) AS p,
           lag(start_ts) OVER (PARTITION BY app_id, who, release ORDER BY start_ts, id) AS p_release,
           lag(start_ts) OVER (PARTITION BY app_id, who, environment ORDER BY start_ts, id) AS p_environment,
           lag(start_ts) OVER (PARTITION BY app_id, who, entry_page ORDER BY start_ts, id) AS p_path,
           lag(start_ts) OVER (PARTITION BY app_id, who, browser ORDER BY start_ts, id) AS p_browser,
           lag(start_ts) OVER (PARTITION BY app_id, who, os ORDER BY start_ts, id) AS p_os,
           lag(start_ts) OVER (PARTITION BY app_id, who, device_type ORDER BY start_ts, id) AS p_device_type,
           lag(start_ts) OVER (PARTITION BY app_id, who, country ORDER BY start_ts, id) AS p_country
    FROM session_cache
    WHERE who IS NOT NULL
) m
WHERE s.app_id = m.app_id AND s.who = m.who AND s.id = m.id AND s.start_ts = m.start_ts;
CREATE TABLE overview_hours (
    app_id      VARCHAR   NOT NULL,
    day         DATE      NOT NULL,
    hour        TIMESTAMP NOT NULL,
    dim         VARCHAR   NOT NULL,
    dim_value   VARCHAR   NOT NULL,
    sessions    BIGINT    NOT NULL,
    engaged     BIGINT    NOT NULL,
    viewed      BIGINT    NOT NULL,
    bounced     BIGINT    NOT NULL,
    duration_ms BIGINT    NOT NULL,
    views       BIGINT    NOT NULL,
    page_views  BIGINT    NOT NULL,
    conversions BIGINT    NOT NULL,
    revenue     DOUBLE    NOT NULL
);
-- the cached days' hours, as DuckDbOverviewHours.formed writes them for a formed run
INSERT INTO overview_hours
SELECT app_id, day, hour, dim, dim_value, sum(sessions), sum(engaged), sum(viewed), sum(bounced), sum(duration_ms), sum(views),
       sum(page_views), sum(conversions), sum(revenue)
FROM (
    SELECT app_id, day, hour,
           CASE WHEN grouping(release) = 0 THEN 'release' WHEN grouping(environment) = 0 THEN 'environment'
                WHEN grouping(path) = 0 THEN 'path' WHEN grouping(browser) = 0 THEN 'browser' WHEN grouping(os) = 0 THEN 'os'
                WHEN grouping(device_type) = 0 THEN 'device_type' WHEN grouping(country) = 0 THEN 'country' ELSE '' END AS dim,
           CASE WHEN grouping(release) = 0 THEN release WHEN grouping(environment) = 0 THEN environment
                WHEN grouping(path) = 0 THEN path WHEN grouping(browser) = 0 THEN browser WHEN grouping(os) = 0 THEN os
                WHEN grouping(device_type) = 0 THEN device_type WHEN grouping(country) = 0 THEN country ELSE '' END AS dim_value,
           count(*) AS sessions,
           count(*) FILTER (WHERE epoch_ms(end_ts) - epoch_ms(start_ts) >= 10000 OR page_views >= 2 OR conversions > 0) AS engaged,
           count(*) FILTER (WHERE page_views >= 1) AS viewed,
           count(*) FILTER (WHERE page_views = 1 AND conversions = 0) AS bounced,
           coalesce(sum(epoch_ms(end_ts) - epoch_ms(start_ts)) FILTER (WHERE page_views >= 1), 0) AS duration_ms,
           coalesce(sum(page_views) FILTER (WHERE page_views >= 1), 0) AS views,
           0 AS page_views, 0 AS conversions, 0.0 AS revenue
    FROM (SELECT *, date_trunc('hour', start_ts) AS hour, entry_page AS path FROM session_cache)
    GROUP BY GROUPING SETS ((app_id, day, hour), (app_id, day, hour, release), (app_id, day, hour, environment),
        (app_id, day, hour, path), (app_id, day, hour, browser), (app_id, day, hour, os), (app_id, day, hour, device_type),
        (app_id, day, hour, country))
    UNION ALL BY NAME
    SELECT app_id, day, hour,
           CASE WHEN grouping(release) = 0 THEN 'release' WHEN grouping(environment) = 0 THEN 'environment'
                WHEN grouping(path) = 0 THEN 'path' WHEN grouping(browser) = 0 THEN 'browser' WHEN grouping(os) = 0 THEN 'os'
                WHEN grouping(device_type) = 0 THEN 'device_type' WHEN grouping(country) = 0 THEN 'country' ELSE '' END AS dim,
           CASE WHEN grouping(release) = 0 THEN release WHEN grouping(environment) = 0 THEN environment
                WHEN grouping(path) = 0 THEN path WHEN grouping(browser) = 0 THEN browser WHEN grouping(os) = 0 THEN os
                WHEN grouping(device_type) = 0 THEN device_type WHEN grouping(country) = 0 THEN country ELSE '' END AS dim_value,
           0 AS sessions, 0 AS engaged, 0 AS viewed, 0 AS bounced, 0 AS duration_ms, 0 AS views,
           count(*) FILTER (WHERE type = 'pageview') AS page_views,
           count(*) FILTER (WHERE type IN ('conversion', 'purchase')) AS conversions,
           coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0) AS revenue
    FROM (
        SELECT e.*, e.ts::DATE AS day, date_trunc('hour', e.ts) AS hour
        FROM events e JOIN session_cache_days d ON d.app_id = e.app_id AND d.day = e.ts::DATE
    )
    GROUP BY GROUPING SETS ((app_id, day, hour), (app_id, day, hour, release), (app_id, day, hour, environment),
        (app_id, day, hour, path), (app_id, day, hour, browser), (app_id, day, hour, os), (app_id, day, hour, device_type),
        (app_id, day, hour, country))
)
WHERE dim_value IS NOT NULL
GROUP BY app_id, day, hour, dim, dim_value;
