package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.Sessionizer;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forming one run of days of {@link DuckDbSessionCache}: the run's sessions from the events of the
 * run widened by the horizon, its rows with each user's first start, the rollups formed with them
 * ({@link DuckDbOverviewHours}, {@link DuckDbActiveUserHours}, {@link DuckDbEventSessionHours}), and
 * the days a session too long to be cut the same by every window makes unsafe. The cache decides
 * which runs to form (versions, coverage, the lock); this class only forms one, in the caller's
 * transaction.
 */
final class DuckDbSessionRun {

    private static final Logger log = LoggerFactory.getLogger(DuckDbSessionRun.class);

    /**
     * A session at least this long within a window may be cut by the window's edge, or differ
     * from the one formed over another window (a user's chain cut at a window's start spans more
     * than the horizon minus the inactivity gap).
     */
    private static final Duration SUSPICIOUS_SPAN = Sessionizer.HORIZON.minus(Duration.ofHours(1));

    /**
     * The days of each formed session that may be cut differently by another window: it spans
     * {@link #SUSPICIOUS_SPAN} or more in the window, or it is a client session whose id, with its
     * events outside the window too (anywhere in the app's history), spans that much. Parameters:
     * app, window, span in ms.
     */
    private static final String SUSPICIOUS = """
            SELECT f.start_ts::DATE, f.end_ts::DATE
            FROM formed_sessions f
            LEFT JOIN (
                SELECT session_id, min(ts) AS lo, max(ts) AS hi
                FROM events
                WHERE app_id = ? AND (ts < ? OR ts >= ?)
                  AND session_id IN (SELECT id FROM formed_sessions WHERE starts_with(skey, 'c:'))
                GROUP BY session_id
            ) o ON starts_with(f.skey, 'c:') AND o.session_id = f.id
            WHERE greatest(f.end_ts, coalesce(o.hi, f.end_ts)) - least(f.start_ts, coalesce(o.lo, f.start_ts))
                  >= to_milliseconds(?)""";

    /**
     * After {@link DuckDbSessionsSql#form}: every formed session with what the cache keeps besides
     * its summary ({@code schema/V6__session_cache_paths.sql}): whether it is a client session, and
     * its page transitions, paired as {@link DuckDbPageTransitions} pairs them live (each page view
     * with a path and the one before it in the session, in time then storage order).
     */
    private static final String WITH_PAGE_TRANSITIONS = """
            ,
            page_steps AS (
                SELECT skey, list(struct_pack(from_page := previous, to_page := path) ORDER BY ts, seq) AS transitions
                FROM (
                    SELECT skey, ts, seq, path, lag(path) OVER (PARTITION BY skey ORDER BY ts, seq) AS previous
                    FROM keyed
                    WHERE type = 'pageview' AND path IS NOT NULL
                )
                GROUP BY skey
            )
            SELECT i.*, starts_with(i.skey, 'c:') AS client, p.transitions
            FROM identified i LEFT JOIN page_steps p USING (skey)""";

    /**
     * Inserts the run's formed sessions ({@code %s}: the columns, then the same prefixed by
     * {@code f.}) with {@code user_first}: the earliest start among the user's sessions of the run
     * and those cached on other days (the run's days are deleted by then). Parameters: the run's
     * start and end, the app three times.
     */
    private static final String INSERT_FORMED = """
            WITH run AS (
                SELECT * FROM formed_sessions WHERE start_ts >= ? AND start_ts < ?
            ),
            firsts AS (
                SELECT who, min(start_ts) AS first_start
                FROM (
                    SELECT who, start_ts FROM run WHERE who IS NOT NULL
                    UNION ALL
                    SELECT who, start_ts FROM session_cache
                    WHERE app_id = ? AND who IN (SELECT who FROM run WHERE who IS NOT NULL)
                )
                GROUP BY who
            )
            INSERT INTO session_cache (app_id, day, version, %s, client, transitions, user_first)
            SELECT ?, f.start_ts::DATE, coalesce(v.version, 0), %s, f.client, f.transitions, u.first_start
            FROM run f
            LEFT JOIN day_versions v ON v.app_id = ? AND v.day = f.start_ts::DATE
            LEFT JOIN firsts u ON u.who = f.who
            ORDER BY f.start_ts""";

    /**
     * After {@link #INSERT_FORMED}: {@code user_first} of the other cached rows of every user whose
     * rows the run deleted ({@code touched_users}) or inserted, where it changed (a user's earlier
     * session formed now, or their first one deleted). Usually few rows: runs are mostly the newest
     * days. Only rows outside the run's days: its own rows were inserted with their final
     * {@code user_first}, and an UPDATE whose rows mix rows this transaction inserted with committed
     * ones corrupts DuckDB 2.0.0's memory (see {@link DuckDbOverviewHours}). Parameters: the app
     * twice, the run's first and last day.
     */
    private static final String CORRECT_USER_FIRST = """
            UPDATE session_cache AS s SET user_first = m.first_start
            FROM (
                SELECT who, min(start_ts) AS first_start
                FROM session_cache
                WHERE app_id = ? AND who IN (SELECT who FROM touched_users)
                GROUP BY who
            ) m
            WHERE s.app_id = ? AND s.who = m.who AND s.user_first IS DISTINCT FROM m.first_start
              AND (s.day < ? OR s.day > ?)""";

    private DuckDbSessionRun() {
    }

    /**
     * Forms the sessions starting on the days {@code first..last} from the events of the run
     * widened by the horizon, replaces the days' cached rows with them (with {@code user_first}, and
     * the overview's {@code user_prev} columns and hours by {@link DuckDbOverviewHours}, the active users'
     * and the event metrics' hours by {@link DuckDbActiveUserHours} and {@link DuckDbEventSessionHours}), and marks
     * the days a suspicious session touches (its days and one either side) unsafe.
     */
    static void form(DuckDBConnection c, String appId, LocalDate first, LocalDate last, Map<LocalDate, Long> versions,
                     SqlDialect dialect) throws SQLException {
        long started = System.nanoTime();
        Instant runFrom = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant runTo = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant windowFrom = runFrom.minus(Sessionizer.HORIZON);
        Instant windowTo = runTo.plus(Sessionizer.HORIZON);
        // the users whose rows this run deletes: their other rows' user_first may change
        Sql touched = new Sql().append("""
                CREATE OR REPLACE TEMP TABLE touched_users AS
                SELECT DISTINCT who FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND who IS NOT NULL""",
                appId, first, last);
        DuckDbSessionCache.execute(c, touched);
        for (String table : List.of("session_cache", "session_cache_days")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE app_id = ? AND day >= ? AND day <= ?")) {
                ps.setString(1, appId);
                ps.setObject(2, first);
                ps.setObject(3, last);
                ps.executeUpdate();
            }
        }
        Sql formed = new Sql().append("CREATE OR REPLACE TEMP TABLE formed_sessions AS\n");
        DuckDbSessionsSql.form(formed, dialect, appId, windowFrom, windowTo, "");
        formed.append(WITH_PAGE_TRANSITIONS);
        DuckDbSessionCache.execute(c, formed);
        long t1 = System.nanoTime();
        Sql insert = new Sql().append(INSERT_FORMED.formatted(DuckDbSessionsSql.SESSION_COLUMNS, prefixed("f.")),
                runFrom, runTo, appId, appId, appId);
        DuckDbSessionCache.execute(c, insert);
        DuckDbSessionCache.execute(c, new Sql().append("""
                INSERT INTO touched_users
                SELECT DISTINCT who FROM formed_sessions WHERE start_ts >= ? AND start_ts < ? AND who IS NOT NULL""",
                runFrom, runTo));
        DuckDbSessionCache.execute(c, new Sql().append(CORRECT_USER_FIRST, appId, appId, first, last));
        DuckDbOverviewHours.formed(c, appId, first, last, dialect);
        DuckDbActiveUserHours.form(c, appId, first, last);
        DuckDbEventSessionHours.form(c, appId, first, last);
        long t2 = System.nanoTime();
        Set<LocalDate> unsafe = new HashSet<>();
        Sql suspicious = new Sql().append(SUSPICIOUS, appId, windowFrom, windowTo, SUSPICIOUS_SPAN.toMillis());
        try (PreparedStatement ps = DuckDbSessionCache.prepared(c, suspicious); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                LocalDate to = rs.getObject(2, LocalDate.class).plusDays(1);
                for (LocalDate d = rs.getObject(1, LocalDate.class).minusDays(1); !d.isAfter(to); d = d.plusDays(1)) {
                    unsafe.add(d);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO session_cache_days VALUES (?, ?, ?, ?)")) {
            for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                ps.setString(1, appId);
                ps.setObject(2, d);
                ps.setLong(3, versions.getOrDefault(d, 0L));
                ps.setBoolean(4, unsafe.contains(d));
                ps.executeUpdate();
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE formed_sessions");
            st.execute("DROP TABLE touched_users");
        }
        log.debug("formed the sessions of app {} for {}..{} in {} ms (forming {}, storing {}, checking {})", appId, first,
                last, (System.nanoTime() - started) / 1_000_000, (t1 - started) / 1_000_000, (t2 - t1) / 1_000_000,
                (System.nanoTime() - t2) / 1_000_000);
    }

    private static String prefixed(String alias) {
        return alias + DuckDbSessionsSql.SESSION_COLUMNS.replace(", ", ", " + alias);
    }
}
