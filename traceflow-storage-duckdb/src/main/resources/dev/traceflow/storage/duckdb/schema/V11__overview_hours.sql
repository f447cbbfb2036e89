-- What an unfiltered overview (DuckDbOverviewHours) reads instead of grouping a range's cached
-- sessions by user and scanning its events:
--
-- session_cache.user_prev: the start of the same user's previous cached session (in start_ts,
--   then id order; NULL for the user's first). A user's first session in a range is the one whose
--   user_prev is NULL or before the range, so visitors and new users are counts of rows, not a
--   grouping by user. DuckDbSessionCache keeps it exact when it forms days (DuckDbOverviewHours).
-- overview_hours: per app and UTC hour, the sums of the overview over the cached sessions that
--   start in the hour and over the events of the hour. Rows of a day are formed with the day's
--   sessions, in the same transaction, so they are as current as the day's session_cache rows;
--   a range reads its whole hours here and its partial edge hours from the rows and the events.
ALTER TABLE session_cache ADD COLUMN user_prev TIMESTAMP;
UPDATE session_cache AS s SET user_prev = m.prev
FROM (
    SELECT app_id, who, id, start_ts, lag(start_ts) OVER (PARTITION BY app_id, who ORDER BY start_ts, id) AS prev
    FROM session_cache
    WHERE who IS NOT NULL
) m
WHERE s.app_id = m.app_id AND s.who = m.who AND s.id = m.id AND s.start_ts = m.start_ts AND m.prev IS NOT NULL;
CREATE TABLE overview_hours (
    app_id      VARCHAR   NOT NULL,
    day         DATE      NOT NULL,
    hour        TIMESTAMP NOT NULL,
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
-- the cached days' hours, as DuckDbOverviewHours.FORM writes them for a formed run
INSERT INTO overview_hours
SELECT app_id, day, hour, sum(sessions), sum(engaged), sum(viewed), sum(bounced), sum(duration_ms), sum(views),
       sum(page_views), sum(conversions), sum(revenue)
FROM (
    SELECT app_id, day, date_trunc('hour', start_ts) AS hour,
           count(*) AS sessions,
           count(*) FILTER (WHERE epoch_ms(end_ts) - epoch_ms(start_ts) >= 10000 OR page_views >= 2 OR conversions > 0) AS engaged,
           count(*) FILTER (WHERE page_views >= 1) AS viewed,
           count(*) FILTER (WHERE page_views = 1 AND conversions = 0) AS bounced,
           coalesce(sum(epoch_ms(end_ts) - epoch_ms(start_ts)) FILTER (WHERE page_views >= 1), 0) AS duration_ms,
           coalesce(sum(page_views) FILTER (WHERE page_views >= 1), 0) AS views,
           0 AS page_views, 0 AS conversions, 0.0 AS revenue
    FROM session_cache
    GROUP BY ALL
    UNION ALL
    SELECT e.app_id, e.ts::DATE AS day, date_trunc('hour', e.ts) AS hour,
           0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE e.type = 'pageview'),
           count(*) FILTER (WHERE e.type IN ('conversion', 'purchase')),
           coalesce(sum(e.value) FILTER (WHERE e.type IN ('conversion', 'purchase')), 0)
    FROM events e
    JOIN session_cache_days d ON d.app_id = e.app_id AND d.day = e.ts::DATE
    GROUP BY ALL
)
GROUP BY app_id, day, hour;
