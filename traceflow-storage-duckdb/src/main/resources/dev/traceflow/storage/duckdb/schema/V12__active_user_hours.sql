-- Per UTC hour, the distinct users of an app (API.md's user: user_id, else anonymous_id, else the
-- session), so that active users over whole hours, days, weeks or months read these rows instead
-- of counting distinct users over every event of the range (DuckDbActiveUserHours). Formed with the
-- session cache's days (DuckDbSessionCache), at the same versions and in the same transaction:
-- a day's rows exist exactly when session_cache_days holds the day.
--   day       the UTC day of hour (rows are replaced per day)
--   prev_hour the user's latest hour with an event before this one, when it is on the previous
--             UTC day or later; otherwise NULL or any earlier hour. Counting a row only when
--             prev_hour is outside its bucket counts each user once per day bucket.
CREATE TABLE active_user_hours (
    app_id    VARCHAR   NOT NULL,
    day       DATE      NOT NULL,
    hour      TIMESTAMP NOT NULL,
    who       VARCHAR   NOT NULL,
    prev_hour TIMESTAMP
);
-- The days cached before this migration get their rows here, from every event (prev_hour exact).
INSERT INTO active_user_hours
SELECT p.app_id, p.hour::DATE, p.hour, p.who, p.prev_hour
FROM (
    SELECT app_id, hour, who, lag(hour) OVER (PARTITION BY app_id, who ORDER BY hour) AS prev_hour
    FROM (
        SELECT DISTINCT app_id, date_trunc('hour', ts) AS hour, coalesce(user_id, anonymous_id, session_id) AS who
        FROM events
        WHERE coalesce(user_id, anonymous_id, session_id) IS NOT NULL
    )
) p
JOIN session_cache_days d ON d.app_id = p.app_id AND d.day = p.hour::DATE
ORDER BY p.app_id, p.hour;
