package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The writer's side of {@link DuckDbSessionCache}: gives every UTC day whose sessions a write can
 * change a new version ({@code day_versions}, {@code schema/V5__session_cache.sql}), in the
 * writer's transaction, so that a reader sees new events and new versions together or neither.
 * A session starting on day D is formed from events of D-1, D and D+1 (the 24 h horizon before
 * and after), so an event of day d changes the days d-1, d and d+1. Only the writer thread uses it.
 */
final class DuckDbDayVersions {

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    /** Parameters: app, day and version of each row, for as many rows as the statement was made for. */
    private static final String UPSERT = """
            INSERT INTO day_versions VALUES %s
            ON CONFLICT (app_id, day) DO UPDATE SET version = excluded.version""";
    /** Statements kept by row count: a load of one app's events of one day upserts 3 rows. */
    private static final int KEPT_UPSERTS = 8;

    /** Parameters: version, then those of the condition. */
    private static final String UPSERT_DELETED = """
            INSERT INTO day_versions
            SELECT app_id, day + o AS day, ? FROM (
                SELECT DISTINCT app_id, ts::DATE AS day FROM events WHERE %s
            ), (VALUES (-1), (0), (1)) AS offsets(o)
            GROUP BY ALL
            ON CONFLICT (app_id, day) DO UPDATE SET version = excluded.version""";

    private final DuckDBConnection connection;
    /** By row count - 1; each made on first use. */
    private final PreparedStatement[] upserts = new PreparedStatement[KEPT_UPSERTS];
    private PreparedStatement next;

    DuckDbDayVersions(DuckDBConnection connection) {
        this.connection = connection;
    }

    /** The UTC days of stored events, per app; cheap per row (the rows of one app share their app array). */
    static final class Days {
        private final Map<String, Set<Long>> byApp = new HashMap<>();
        /** The text array and start of the last row's app id: rows of one request share them ({@link DuckDbRows.Batch#appStart}). */
        private byte[] lastText;
        private int lastAppStart = -1;
        private Set<Long> lastDays;
        /** The day last added to {@link #lastDays}: rows in a row mostly share it, so it is not boxed and added again. */
        private long lastDay = Long.MIN_VALUE;

        /** Adds row {@code row} of {@code rows}. */
        void add(DuckDbRows.Batch rows, int row) {
            long day = Math.floorDiv(rows.micros(row), MICROS_PER_DAY);
            if (rows.text() != lastText || rows.appStart(row) != lastAppStart) {
                lastText = rows.text();
                lastAppStart = rows.appStart(row);
                lastDays = byApp.computeIfAbsent(rows.app(row), k -> new HashSet<>());
            } else if (day == lastDay) {
                return;
            }
            lastDay = day;
            lastDays.add(day);
        }

        boolean isEmpty() {
            return byApp.isEmpty();
        }
    }

    /**
     * Gives the days of the events and the days either side a new version, in one statement of
     * all those rows (a statement per row cost the loader a native call and an index probe each).
     */
    void stored(Days days) throws SQLException {
        if (days.isEmpty()) {
            return;
        }
        long version = nextVersion();
        List<Map.Entry<String, Long>> rows = new ArrayList<>();
        for (Map.Entry<String, Set<Long>> app : days.byApp.entrySet()) {
            Set<Long> changed = new TreeSet<>();
            for (long day : app.getValue()) {
                changed.add(day - 1);
                changed.add(day);
                changed.add(day + 1);
            }
            for (long day : changed) {
                rows.add(Map.entry(app.getKey(), day));
            }
        }
        for (int from = 0; from < rows.size(); from += KEPT_UPSERTS) {
            List<Map.Entry<String, Long>> some = rows.subList(from, Math.min(rows.size(), from + KEPT_UPSERTS));
            PreparedStatement upsert = upsert(some.size());
            int p = 1;
            for (Map.Entry<String, Long> row : some) {
                upsert.setString(p++, row.getKey());
                upsert.setObject(p++, LocalDate.ofEpochDay(row.getValue()));
                upsert.setLong(p++, version);
            }
            upsert.executeUpdate();
        }
    }

    private PreparedStatement upsert(int rows) throws SQLException {
        PreparedStatement upsert = upserts[rows - 1];
        if (upsert == null) {
            String values = String.join(", ", Collections.nCopies(rows, "(?, ?, ?)"));
            upsert = connection.prepareStatement(UPSERT.formatted(values));
            upserts[rows - 1] = upsert;
        }
        return upsert;
    }

    /**
     * Before a delete of the events matching {@code condition} (on {@code events}' columns, with
     * its bound values): gives their days and the days either side a new version.
     */
    void deleting(String condition, Object... values) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(UPSERT_DELETED.formatted(condition))) {
            ps.setLong(1, nextVersion());
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 2, values[i]);
            }
            ps.executeUpdate();
        }
    }

    private long nextVersion() throws SQLException {
        if (next == null) {
            next = connection.prepareStatement("SELECT nextval('day_version_seq')");
        }
        try (ResultSet rs = next.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void close() {
        List<PreparedStatement> statements = new ArrayList<>(Arrays.asList(upserts));
        statements.add(next);
        for (PreparedStatement statement : statements) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // closing the writer anyway
                }
            }
        }
    }
}
