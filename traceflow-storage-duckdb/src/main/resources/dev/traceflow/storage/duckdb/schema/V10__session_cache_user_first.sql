-- Each cached session's user's first session start (user_first): the minimum start_ts over the
-- app's cached sessions of the same who, kept on every row, so that new and returning users read
-- it from the session's own row instead of grouping all of the app's cached sessions by user and
-- joining the range's sessions to that grouping (DuckDbMetricQueries). DuckDbSessionCache keeps it
-- exact: forming a run of days writes it on the new rows and corrects the other rows of every user
-- whose rows the run deleted or inserted, in the same transaction. Rows cached before this
-- migration get it here.
ALTER TABLE session_cache ADD COLUMN user_first TIMESTAMP;
UPDATE session_cache AS s SET user_first = m.first_start
FROM (SELECT app_id, who, min(start_ts) AS first_start FROM session_cache WHERE who IS NOT NULL GROUP BY app_id, who) m
WHERE s.app_id = m.app_id AND s.who = m.who;
