package dev.traceflow.audit.internal;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * H2's half of the database-level guard on the audit trail (migration V4 in {@code db/vendor/h2}):
 * refuses every UPDATE and DELETE on {@code audits}, so a bug or an injected statement in any
 * code path cannot rewrite history, not only the one class that writes it. H2 triggers are Java
 * classes; PostgreSQL's half is a PL/pgSQL trigger. Public with a no-argument constructor because
 * H2 instantiates it by name.
 */
public final class AuditsAppendOnlyTrigger implements Trigger {

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
        throw new SQLException("audits are append-only: UPDATE and DELETE are refused", "42501");
    }
}
