-- The audit trail is append-only in the database too, not only in the code (JdbcAuditLog inserts
-- and selects, nothing else): UPDATE and DELETE on audits fail. H2 triggers are Java classes.
CREATE TRIGGER audits_append_only BEFORE UPDATE, DELETE ON audits FOR EACH ROW
    CALL "dev.traceflow.audit.internal.AuditsAppendOnlyTrigger";
