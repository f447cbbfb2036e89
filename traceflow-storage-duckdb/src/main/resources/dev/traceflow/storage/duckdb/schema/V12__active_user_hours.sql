-- Per UTC hour, the distinct users of an app (API.md's user: user_id, else anonymous_id, else the
-- session) with the event columns that filters compare, so that active users over whole hours,
-- days, weeks or months read these rows instead of counting distinct users over every event of
-- the range (DuckDbActiveUserHours). Formed with the session cache's days (DuckDbSessionCache), at
-- the same versions and in the same transaction: a day's rows exist exactly when
-- session_cache_days holds the day.
--
-- active_user_ids: a number per user of an app, so that the rows count distinct integers rather
-- than strings. Written under the session cache's lock; a user is forgotten when a re-formed run
-- leaves them without rows (an opt-out, retention).
CREATE TABLE active_user_ids (
    app_id VARCHAR NOT NULL,
    who    VARCHAR NOT NULL,
    uid    INTEGER NOT NULL
);
-- One row per hour, user and combination of the filter columns but path (active_user_paths).
--   day           the UTC day of hour (rows are replaced per day)
--   first_of_hour one row of each (hour, user) is marked: unfiltered counts read those
--   prev_hour     on a marked row, the user's latest hour with an event before this one, when it
--                 is on the previous UTC day or later; otherwise NULL or any earlier hour.
--                 Counting a marked row only when prev_hour is outside its bucket counts each
--                 user once per day bucket.
CREATE TABLE active_user_hours (
    app_id        VARCHAR   NOT NULL,
    day           DATE      NOT NULL,
    hour          TIMESTAMP NOT NULL,
    uid           INTEGER   NOT NULL,
    release       VARCHAR,
    environment   VARCHAR,
    browser       VARCHAR,
    os            VARCHAR,
    device_type   VARCHAR,
    country       VARCHAR,
    first_of_hour BOOLEAN   NOT NULL,
    prev_hour     TIMESTAMP
);
-- One row per hour, user and path of their events: a path filter (alone) reads these.
CREATE TABLE active_user_paths (
    app_id VARCHAR   NOT NULL,
    day    DATE      NOT NULL,
    hour   TIMESTAMP NOT NULL,
    uid    INTEGER   NOT NULL,
    path   VARCHAR   NOT NULL
);
-- The days cached before this migration get their rows here, from every event (prev_hour exact).
CREATE TEMP TABLE migrated_user_hours AS
SELECT app_id, hour, who, release, environment, browser, os, device_type, country, first_of_hour,
       CASE WHEN first_of_hour THEN lag(hour) OVER (PARTITION BY app_id, who, first_of_hour ORDER BY hour) END AS prev_hour
FROM (
    SELECT *, row_number() OVER (PARTITION BY app_id, hour, who) = 1 AS first_of_hour
    FROM (
        SELECT DISTINCT app_id, date_trunc('hour', ts) AS hour, coalesce(user_id, anonymous_id, session_id) AS who,
               release, environment, browser, os, device_type, country
        FROM events
        WHERE coalesce(user_id, anonymous_id, session_id) IS NOT NULL
    )
);
DELETE FROM migrated_user_hours m
WHERE NOT EXISTS (SELECT 1 FROM session_cache_days d WHERE d.app_id = m.app_id AND d.day = m.hour::DATE);
INSERT INTO active_user_ids
SELECT app_id, who, row_number() OVER (PARTITION BY app_id ORDER BY who)
FROM (SELECT DISTINCT app_id, who FROM migrated_user_hours);
INSERT INTO active_user_hours
SELECT m.app_id, m.hour::DATE, m.hour, i.uid, m.release, m.environment, m.browser, m.os, m.device_type, m.country,
       m.first_of_hour, m.prev_hour
FROM migrated_user_hours m JOIN active_user_ids i ON i.app_id = m.app_id AND i.who = m.who
ORDER BY m.app_id, m.hour;
INSERT INTO active_user_paths
SELECT p.app_id, p.hour::DATE, p.hour, i.uid, p.path
FROM (
    SELECT DISTINCT app_id, date_trunc('hour', ts) AS hour, coalesce(user_id, anonymous_id, session_id) AS who, path
    FROM events
    WHERE coalesce(user_id, anonymous_id, session_id) IS NOT NULL AND path IS NOT NULL
) p
JOIN session_cache_days d ON d.app_id = p.app_id AND d.day = p.hour::DATE
JOIN active_user_ids i ON i.app_id = p.app_id AND i.who = p.who
ORDER BY p.app_id, p.hour;
DROP TABLE migrated_user_hours;
