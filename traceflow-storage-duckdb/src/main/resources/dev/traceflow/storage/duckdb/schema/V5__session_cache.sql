-- A per-day cache of sessions (DuckDbSessionCache): sessions are formed from raw events, which
-- costs a scan and sort of every event of a range and its 24 h horizons; past days rarely
-- change, so a day's sessions are formed once and read from session_cache afterwards.
--
-- day_versions: for each UTC day of an app, the version of the events that can form its
-- sessions (a session starting on day D is formed from events of D-1, D and D+1). The writer
-- sets a day's version to a new number from day_version_seq whenever it stores or deletes events
-- of D-1, D or D+1, in the same transaction as the events. Written only by the writer (an upsert
-- keyed by app and day), so it stays one row per app and day and never conflicts with readers.
-- A day without a row has version 0.
CREATE SEQUENCE day_version_seq START 1;
CREATE TABLE day_versions (
    app_id  VARCHAR NOT NULL,
    day     DATE    NOT NULL,
    version BIGINT  NOT NULL,
    PRIMARY KEY (app_id, day)
);
-- The days of session_cache: which version each was formed at. unsafe: the day may be touched by
-- a session longer than the horizon, where forming per day differs from forming over a query's
-- range; such days are answered from the events. Written only by readers, one at a time.
CREATE TABLE session_cache_days (
    app_id  VARCHAR NOT NULL,
    day     DATE    NOT NULL,
    version BIGINT  NOT NULL,
    unsafe  BOOLEAN NOT NULL
);
-- The sessions that start on a cached day, with the columns of DuckDbSessionsSql.SESSION_COLUMNS.
-- Only rows of the version in session_cache_days: a day is re-formed by deleting its rows and
-- inserting new ones in one transaction.
CREATE TABLE session_cache (
    app_id         VARCHAR   NOT NULL,
    day            DATE      NOT NULL,
    version        BIGINT    NOT NULL,
    id             VARCHAR   NOT NULL,
    who            VARCHAR,
    user_id        VARCHAR,
    start_ts       TIMESTAMP NOT NULL,
    end_ts         TIMESTAMP NOT NULL,
    page_views     BIGINT    NOT NULL,
    events         BIGINT    NOT NULL,
    conversions    BIGINT    NOT NULL,
    revenue        DOUBLE    NOT NULL,
    entry_page     VARCHAR,
    exit_page      VARCHAR,
    browser        VARCHAR,
    os             VARCHAR,
    device_type    VARCHAR,
    country        VARCHAR,
    traffic_source VARCHAR,
    release        VARCHAR,
    environment    VARCHAR
);
