-- Narrow on purpose: DuckDB's Appender costs about 100-300 ns per value per row whether the
-- value is null or not (measured: 50 columns ~87k rows/s, 10 columns ~358k rows/s on one core),
-- so every column is paid by every event at ingest. Typed columns are what queries filter and
-- group on; the type-specific rest is one JSON column, read with json_extract where needed.
-- Times are UTC.
CREATE TABLE events (
    app_id         VARCHAR   NOT NULL,
    type           VARCHAR   NOT NULL,
    ts             TIMESTAMP NOT NULL,
    event_id       VARCHAR,
    session_id     VARCHAR,
    user_id        VARCHAR,
    anonymous_id   VARCHAR,
    -- the URL's path without query or fragment
    path           VARCHAR,
    -- custom event name, web-vital name (LCP...), resource URL, API call URL
    name           VARCHAR,
    -- web-vital value, resource or API call duration (ms)
    value          DOUBLE,
    -- error group key
    fingerprint    VARCHAR,
    release        VARCHAR,
    environment    VARCHAR,
    browser        VARCHAR,
    os             VARCHAR,
    -- desktop, mobile, tablet, bot
    device_type    VARCHAR,
    country        VARCHAR,
    traffic_source VARCHAR,
    -- the client's custom properties, JSON text
    properties     VARCHAR,
    -- everything else, JSON text, keys absent when empty: url, referrer, title, userAgent,
    -- browserVersion, osVersion, utmSource, utmMedium, utmCampaign, receivedAt (epoch ms),
    -- metadata; errors: message, errorType, stack, filename, lineno, colno, clientFingerprint;
    -- web vitals: rating, delta, metricId, navigationType; resources: initiatorType, startTime,
    -- transferSize; clicks: x, y, viewportWidth, viewportHeight, selector; api: method, status;
    -- performance: metrics {fcp: ms...}, resources [...]
    data           VARCHAR
);
