-- Events per second an app may send (a token bucket holding ten seconds' worth, so bursts pass);
-- 0 = no limit. Per server instance. Portable between H2 and PostgreSQL.
ALTER TABLE apps ADD COLUMN ingest_rate_limit INTEGER DEFAULT 0 NOT NULL;
