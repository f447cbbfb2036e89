-- TRUNCATE bypasses row triggers and H2 has no statement trigger for it, but H2 refuses to
-- truncate a table that a foreign key points at, even from an empty table: this table exists only
-- to point at audits. PostgreSQL's half is the audits_no_truncate trigger of its V4.
CREATE TABLE audits_truncate_guard (audit_id BIGINT REFERENCES audits (id));
