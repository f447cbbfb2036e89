package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The writer's side of {@link DuckDbSessionCache}: gives every UTC day whose sessions a write can
 * change a new version ({@code day_versions}, {@code schema/V5__session_cache.sql}), in the
 * writer's transaction, so that a reader sees new events and new versions together or neither.
 * A session starting on day D is formed from events of D-1, D and D+1 (the 24 h horizon before
 * and after), so an event of day d changes the days d-1, d and d+1. Only the writer thread uses it.
 */
final class DuckDbDayVersions {

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private static final String UPSERT = """
            INSERT INTO day_versions VALUES (?, ?, ?)
            ON CONFLICT (app_id, day) DO UPDATE SET version = excluded.version""";

    /** Parameters: version, then those of the condition. */
    private static final String UPSERT_DELETED = """
            INSERT INTO day_versions
            SELECT app_id, day + o AS day, ? FROM (
                SELECT DISTINCT app_id, ts::DATE AS day FROM events WHERE %s
            ), (VALUES (-1), (0), (1)) AS offsets(o)
            GROUP BY ALL
            ON CONFLICT (app_id, day) DO UPDATE SET version = excluded.version""";

    private final DuckDBConnection connection;
    private PreparedStatement upsert;

    DuckDbDayVersions(DuckDBConnection connection) {
        this.connection = connection;
    }

    /** The UTC days of stored events, per app; cheap per row (the rows of one app share their app array). */
    static final class Days {
        private final Map<String, Set<Long>> byApp = new HashMap<>();
        private byte[] lastApp;
        private Set<Long> lastDays;
        /** The day last added to {@link #lastDays}: rows in a row mostly share it, so it is not boxed and added again. */
        private long lastDay = Long.MIN_VALUE;

        void add(byte[] app, long epochMicros) {
            long day = Math.floorDiv(epochMicros, MICROS_PER_DAY);
            if (app != lastApp) {
                lastApp = app;
                lastDays = byApp.computeIfAbsent(new String(app, StandardCharsets.UTF_8), k -> new HashSet<>());
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

    /** Gives the days of the events and the days either side a new version. */
    void stored(Days days) throws SQLException {
        if (days.isEmpty()) {
            return;
        }
        long version = nextVersion();
        if (upsert == null) {
            upsert = connection.prepareStatement(UPSERT);
        }
        for (Map.Entry<String, Set<Long>> app : days.byApp.entrySet()) {
            Set<Long> changed = new HashSet<>();
            for (long day : app.getValue()) {
                changed.add(day - 1);
                changed.add(day);
                changed.add(day + 1);
            }
            for (long day : changed) {
                upsert.setString(1, app.getKey());
                upsert.setObject(2, LocalDate.ofEpochDay(day));
                upsert.setLong(3, version);
                upsert.executeUpdate();
            }
        }
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
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT nextval('day_version_seq')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void close() {
        if (upsert != null) {
            try {
                upsert.close();
            } catch (SQLException ignored) {
                // closing the writer anyway
            }
        }
    }
}
