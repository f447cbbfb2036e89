-- The audit trail is append-only in the database too, not only in the code (JdbcAuditLog inserts
-- and selects, nothing else): UPDATE, DELETE and TRUNCATE on audits fail. A database owner can
-- still drop the triggers; the server's own connection should not be that owner in production.
CREATE FUNCTION audits_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audits are append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audits_append_only BEFORE UPDATE OR DELETE ON audits
    FOR EACH ROW EXECUTE FUNCTION audits_append_only();
CREATE TRIGGER audits_no_truncate BEFORE TRUNCATE ON audits
    FOR EACH STATEMENT EXECUTE FUNCTION audits_append_only();
