package dev.traceflow.audit;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * An H2 trigger for tests: refuses the insert of one audit row, by action and app, as a disk or
 * constraint failure would. Installed and dropped by the test that needs it; public with a
 * no-argument constructor because H2 instantiates it by name.
 */
public final class FailingAuditInsert implements Trigger {

    private static volatile String failAction;
    private static volatile String failAppId;
    private int actionColumn = -1;
    private int appColumn = -1;

    /** The next rows with this action and app id fail to insert; until {@link #reset}. */
    static void failOn(String action, String appId) {
        failAction = action;
        failAppId = appId;
    }

    static void reset() {
        failAction = null;
        failAppId = null;
    }

    @Override
    public void init(Connection connection, String schema, String trigger, String table, boolean before, int type)
            throws SQLException {
        try (var columns = connection.getMetaData().getColumns(null, schema, table, null)) {
            while (columns.next()) {
                switch (columns.getString("COLUMN_NAME").toLowerCase()) {
                    case "action" -> actionColumn = columns.getInt("ORDINAL_POSITION") - 1;
                    case "app_id" -> appColumn = columns.getInt("ORDINAL_POSITION") - 1;
                    default -> { }
                }
            }
        }
    }

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow != null && failAction != null && failAction.equals(newRow[actionColumn]) && failAppId.equals(newRow[appColumn])) {
            throw new SQLException("test: the audit row of " + failAction + " on " + failAppId + " cannot be written");
        }
    }
}
