-- Per app and UTC hour, the overview's session sums grouped by every filter column a session has but
-- its entry page (release .. country, each the session's own value, from its first event), so that
-- an overview with two or more such filters (DuckDbOverviewFilters) reads the sums of the range's
-- whole hours here, whatever the combination, and groups the matching cached sessions only by
-- user (who, user_first): reading the four columns the sums need for every row of the range was
-- a fifth of that answer (2026-12-06, 10M query benchmark file, release and browser filters:
-- 27.1 -> 22.3 ms). Sessions are few per combination: 27,898 rows for an app's 685,755 sessions
-- of 30 days there. Formed with overview_hours (DuckDbOverviewHours.formed: same days, versions,
-- lock and transaction): a day's rows exist exactly when session_cache_days holds it. NULL values
-- kept: a filter never matches them, and a NULL is one more combination.
CREATE TABLE session_filter_hours (
    app_id      VARCHAR   NOT NULL,
    day         DATE      NOT NULL,
    hour        TIMESTAMP NOT NULL,
    release     VARCHAR,
    environment VARCHAR,
    browser     VARCHAR,
    os          VARCHAR,
    device_type VARCHAR,
    country     VARCHAR,
    sessions    BIGINT    NOT NULL,
    engaged     BIGINT    NOT NULL,
    viewed      BIGINT    NOT NULL,
    bounced     BIGINT    NOT NULL,
    duration_ms BIGINT    NOT NULL,
    views       BIGINT    NOT NULL
);
-- the cached days' hours, as DuckDbOverviewHours.formed writes them for a formed run
INSERT INTO session_filter_hours
SELECT app_id, day, date_trunc('hour', start_ts), release, environment, browser, os, device_type, country,
       count(*),
       count(*) FILTER (WHERE epoch_ms(end_ts) - epoch_ms(start_ts) >= 10000 OR page_views >= 2 OR conversions > 0),
       count(*) FILTER (WHERE page_views >= 1),
       count(*) FILTER (WHERE page_views = 1 AND conversions = 0),
       coalesce(sum(epoch_ms(end_ts) - epoch_ms(start_ts)) FILTER (WHERE page_views >= 1), 0),
       coalesce(sum(page_views) FILTER (WHERE page_views >= 1), 0)
FROM session_cache
GROUP BY app_id, day, date_trunc('hour', start_ts), release, environment, browser, os, device_type, country
ORDER BY app_id, day, date_trunc('hour', start_ts);
