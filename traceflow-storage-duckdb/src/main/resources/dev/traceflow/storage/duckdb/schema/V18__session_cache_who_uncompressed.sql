-- session_cache.who stored uncompressed. Every answer that groups or counts a range's cached
-- sessions by user (the overview with two filters, session metrics with two filters or a
-- traffic-source filter, user cells that fall back to grouping) reads who for each matching row,
-- and DuckDB's default string compression (dictionary + FSST) made that read most of the grouping:
-- on the 10M query benchmark file (2026-12-06, 86k sessions of one app matching two filters,
-- 57.7k users, one thread) grouping them by who took 25.5 ms of CPU with DICT_FSST and 11.3 ms
-- uncompressed, and reading who alone 22.8 against 8.6 ms. User ids are short or random (UUIDs,
-- which FSST barely shrinks), so the column grows little.
-- DuckDB cannot change a column's compression in place, so the table is rebuilt with the same
-- columns in the same order (as V3 did for events); existing rows are copied once.
CREATE TABLE session_cache_v18 (
    app_id                VARCHAR   NOT NULL,
    day                   DATE      NOT NULL,
    version               BIGINT    NOT NULL,
    id                    VARCHAR   NOT NULL,
    who                   VARCHAR USING COMPRESSION uncompressed,
    user_id               VARCHAR,
    start_ts              TIMESTAMP NOT NULL,
    end_ts                TIMESTAMP NOT NULL,
    page_views            BIGINT    NOT NULL,
    events                BIGINT    NOT NULL,
    conversions           BIGINT    NOT NULL,
    revenue               DOUBLE    NOT NULL,
    entry_page            VARCHAR,
    exit_page             VARCHAR,
    browser               VARCHAR,
    os                    VARCHAR,
    device_type           VARCHAR,
    country               VARCHAR,
    traffic_source        VARCHAR,
    release               VARCHAR,
    environment           VARCHAR,
    client                BOOLEAN   NOT NULL,
    transitions           STRUCT(from_page VARCHAR, to_page VARCHAR)[],
    user_first            TIMESTAMP,
    user_prev             TIMESTAMP,
    user_prev_release     TIMESTAMP,
    user_prev_environment TIMESTAMP,
    user_prev_path        TIMESTAMP,
    user_prev_browser     TIMESTAMP,
    user_prev_os          TIMESTAMP,
    user_prev_device_type TIMESTAMP,
    user_prev_country     TIMESTAMP
);
INSERT INTO session_cache_v18 SELECT * FROM session_cache;
DROP TABLE session_cache;
ALTER TABLE session_cache_v18 RENAME TO session_cache;
