-- What paths, a session's detail and event metrics broken down by a session dimension need from a
-- cached session, so that they read session_cache instead of forming sessions from the events
-- (DuckDbSessionCache, DuckDbPageTransitions, DuckDbSessionDetail, DuckDbMetricQueries):
--
-- client: the session is a client sessionId's (its events are those with session_id = id), not
--   one formed from a user's events without a sessionId (those with session_id NULL, the user as
--   who, between start_ts and end_ts). The id alone cannot tell: a client may send an id that
--   starts with ~ like a formed one.
-- transitions: the session's page views with a path in time (then storage) order, each with the
--   path of the one before (NULL for the first), as GET /api/user-behavior/paths counts them.
--
-- Rows cached before this migration lack both, so the cache starts empty and is formed again.
DELETE FROM session_cache;
DELETE FROM session_cache_days;
ALTER TABLE session_cache ADD COLUMN client BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE session_cache ADD COLUMN transitions STRUCT(from_page VARCHAR, to_page VARCHAR)[];
