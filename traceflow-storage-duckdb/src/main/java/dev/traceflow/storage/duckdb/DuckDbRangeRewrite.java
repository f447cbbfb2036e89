package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of the compaction ({@link DuckDbCompactor}): which closed ranges of an app need rewriting,
 * and the rewrite of one range in one transaction.
 *
 * <p>A range is a whole UTC day, or a whole ISO week (Monday to Sunday, UTC) once all of it is
 * closed: a day is compacted as soon as it closes, so the last days are sorted too, and merged with
 * its week when the week closes, so that one app's one type over a week sits in a few row groups
 * instead of a fraction of one row group per day (a small app's day is smaller than a row group, and
 * DuckDB keeps min/max per row group). Rows of a range are rewritten in (type, ts) order, ties in
 * their storage order, so the order among one type's rows at the same instant is kept; rows of
 * different types at the same instant come out in type order.
 */
final class DuckDbRangeRewrite {

    /** A range of one app's events: {@code days} whole UTC days from {@code firstDay}. */
    record Range(String appId, LocalDate firstDay, int days, long rows) {
    }

    /**
     * Ranges ending before the first day that is not closed (parameter 1 and 2, a DATE) whose rows are
     * not compacted yet or have grown since (late events) by at least a tenth of what was compacted,
     * at most parameter 3 rows (a row group): rows appended after a compaction sit unsorted in later
     * row groups, where they cost little until they are many. Newest first: recent days are the ones
     * asked for most.
     */
    private static final String PENDING = """
            WITH present AS (
                SELECT app_id, CAST(ts AS DATE) AS day, count(*) AS n
                FROM events
                WHERE ts < CAST($1 AS TIMESTAMP)
                GROUP BY ALL
            ),
            ranges AS (
                SELECT app_id,
                       CASE WHEN CAST(date_trunc('week', day) AS DATE) + 7 <= $1
                            THEN CAST(date_trunc('week', day) AS DATE) ELSE day END AS first_day,
                       CASE WHEN CAST(date_trunc('week', day) AS DATE) + 7 <= $1 THEN 7 ELSE 1 END AS days,
                       sum(n) AS n
                FROM present
                GROUP BY ALL
            )
            SELECT r.app_id, r.first_day, r.days, r.n
            FROM ranges r
            LEFT JOIN compacted_ranges c ON c.app_id = r.app_id AND c.first_day = r.first_day AND c.days = r.days
            WHERE c.row_count IS NULL OR r.n - c.row_count >= greatest(1, least($2, c.row_count // 10))
            ORDER BY r.first_day DESC, r.days DESC, r.app_id""";

    private static final String WHERE_RANGE = " WHERE app_id = ? AND ts >= CAST(? AS TIMESTAMP) AND ts < CAST(? AS TIMESTAMP)";

    private DuckDbRangeRewrite() {
    }

    /**
     * The ranges that need a rewrite, newest first.
     *
     * @param openFrom the first UTC day that is not closed: only ranges wholly before it are listed
     * @param lateRows rows appended to a compacted range that make it due again, at most (a tenth of
     *                 the range's rows when that is fewer)
     */
    static List<Range> pending(DuckDBConnection c, LocalDate openFrom, int lateRows) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PENDING)) {
            ps.setObject(1, openFrom);
            ps.setInt(2, lateRows);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ranges.add(new Range(rs.getString(1), rs.getObject(2, LocalDate.class), rs.getInt(3), rs.getLong(4)));
                }
            }
        }
        return ranges;
    }

    /**
     * Rewrites one range in one transaction on {@code c} (which must be in manual commit): copies its
     * rows in order into a temporary table, deletes them from {@code events}, appends the copy, and
     * records the range. Rows other transactions commit meanwhile are not in this transaction's
     * snapshot, so they are neither copied nor deleted; a failure anywhere rolls all of it back.
     *
     * @param beforeAppend run after the delete, before the copy is appended (tests fail there)
     * @return the rows rewritten
     */
    static long rewrite(DuckDBConnection c, Range range, Runnable beforeAppend) throws SQLException {
        LocalDate end = range.firstDay().plusDays(range.days());
        try {
            try (PreparedStatement copy = c.prepareStatement("CREATE OR REPLACE TEMP TABLE compacting AS SELECT * FROM events"
                    + WHERE_RANGE + " ORDER BY type, ts, rowid")) {
                bindRange(copy, range, end);
                copy.execute();
            }
            long copied;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM compacting")) {
                rs.next();
                copied = rs.getLong(1);
            }
            long deleted;
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM events" + WHERE_RANGE)) {
                bindRange(delete, range, end);
                deleted = delete.executeLargeUpdate();
            }
            if (deleted != copied) {
                // one snapshot reads and deletes: they cannot differ unless something is badly wrong
                throw new SQLException("compaction copied " + copied + " rows of " + range + " but deleted " + deleted);
            }
            beforeAppend.run();
            try (Statement st = c.createStatement()) {
                // the temporary table's rowids are its insertion order, the sorted one
                st.execute("INSERT INTO events SELECT * FROM compacting ORDER BY rowid");
                st.execute("DROP TABLE compacting");
            }
            try (PreparedStatement forget = c.prepareStatement(
                    "DELETE FROM compacted_ranges WHERE app_id = ? AND first_day >= ? AND first_day < ?")) {
                // a week replaces its days
                forget.setString(1, range.appId());
                forget.setObject(2, range.firstDay());
                forget.setObject(3, end);
                forget.executeUpdate();
            }
            if (copied > 0) {
                // none: the writer deleted the range's events since the look (an app, retention); recording it
                // would leave a row that nothing removes
                try (PreparedStatement record = c.prepareStatement("INSERT INTO compacted_ranges VALUES (?, ?, ?, ?)")) {
                    record.setString(1, range.appId());
                    record.setObject(2, range.firstDay());
                    record.setInt(3, range.days());
                    record.setLong(4, copied);
                    record.executeUpdate();
                }
            }
            c.commit();
            return copied;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    /**
     * In the writer's transaction that deletes all of an app's events: forgets the app's compacted
     * ranges. Left behind, they would stay for good and, were the app's events stored again, make
     * its ranges look compacted already with more rows than they hold (so never due).
     */
    static void forgetApp(Connection c, String appId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM compacted_ranges WHERE app_id = ?")) {
            ps.setString(1, appId);
            ps.executeUpdate();
        }
    }

    /**
     * In the writer's transaction that deletes an app's events before {@code cutoff} (retention),
     * before that delete: forgets the app's compacted ranges that end by then, which that delete
     * empties, as {@link #forgetApp} does for a whole app, and lowers the row count of the range the
     * cutoff falls into by its rows before the cutoff (forgotten too if none are left). Left as it
     * was, that range's count would stay above what it holds, so late rows would make it due later
     * than a tenth of what it holds, as {@link #forgetUserRows} explains for a user's delete.
     */
    static void forgetEndedBy(Connection c, String appId, LocalDateTime cutoff) throws SQLException {
        try (PreparedStatement lower = c.prepareStatement("""
                UPDATE compacted_ranges SET row_count = row_count - deleted.n
                FROM (SELECT r.first_day, r.days, count(*) AS n
                      FROM compacted_ranges r
                      JOIN events e ON e.app_id = r.app_id AND e.ts >= CAST(r.first_day AS TIMESTAMP) AND e.ts < $2
                      WHERE r.app_id = $1 AND e.app_id = $1
                        AND CAST(r.first_day AS TIMESTAMP) < $2 AND CAST(r.first_day + r.days AS TIMESTAMP) > $2
                      GROUP BY ALL) deleted
                WHERE compacted_ranges.app_id = $1 AND compacted_ranges.first_day = deleted.first_day
                  AND compacted_ranges.days = deleted.days""");
             PreparedStatement forget = c.prepareStatement(
                     "DELETE FROM compacted_ranges WHERE app_id = ? AND (CAST(first_day + days AS TIMESTAMP) <= ? OR row_count <= 0)")) {
            lower.setString(1, appId);
            lower.setObject(2, cutoff);
            lower.executeUpdate();
            forget.setString(1, appId);
            forget.setObject(2, cutoff);
            forget.executeUpdate();
        }
    }

    /**
     * In the writer's transaction that deletes one user's events of an app (an opt-out), before that
     * delete: lowers each of the app's compacted ranges' row count by the rows of the user's it holds,
     * and forgets the ranges left with none. Left as it was, a range's count would stay above what it
     * holds, so it would take that many more late rows to come due again, and a range the delete
     * emptied would keep its row for good. The compacted and the late rows among the deleted cannot be
     * told apart, so every deleted row is taken off: the late rows a range is reckoned to hold stay as
     * they were (a range whose deleted rows were late comes due that many rows early, never later).
     */
    static void forgetUserRows(Connection c, String appId, String userId, String anonymousId) throws SQLException {
        try (PreparedStatement lower = c.prepareStatement("""
                UPDATE compacted_ranges SET row_count = row_count - deleted.n
                FROM (SELECT r.first_day, r.days, count(*) AS n
                      FROM compacted_ranges r
                      JOIN events e ON e.app_id = r.app_id AND e.ts >= CAST(r.first_day AS TIMESTAMP)
                                   AND e.ts < CAST(r.first_day + r.days AS TIMESTAMP)
                      WHERE r.app_id = $1 AND e.app_id = $1 AND (e.user_id = $2 OR e.anonymous_id = $3)
                      GROUP BY ALL) deleted
                WHERE compacted_ranges.app_id = $1 AND compacted_ranges.first_day = deleted.first_day
                  AND compacted_ranges.days = deleted.days""");
             PreparedStatement forget = c.prepareStatement("DELETE FROM compacted_ranges WHERE app_id = ? AND row_count <= 0")) {
            lower.setString(1, appId);
            lower.setString(2, userId);
            lower.setString(3, anonymousId);
            lower.executeUpdate();
            forget.setString(1, appId);
            forget.executeUpdate();
        }
    }

    private static void bindRange(PreparedStatement ps, Range range, LocalDate end) throws SQLException {
        ps.setString(1, range.appId());
        ps.setObject(2, range.firstDay());
        ps.setObject(3, end);
    }
}
