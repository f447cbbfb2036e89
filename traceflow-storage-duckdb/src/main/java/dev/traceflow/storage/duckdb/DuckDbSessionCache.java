package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
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
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sessions formed once per UTC day and kept in {@code session_cache} ({@code schema/V5__session_cache.sql},
 * with each session's page transitions and whether it is a client session since
 * {@code V6__session_cache_paths.sql}), so that a session answer reads session rows instead of
 * sorting every event of its range again.
 *
 * <p><b>Versions.</b> The writer gives a day a new version whenever events of it or of the day
 * either side are stored or deleted ({@link DuckDbDayVersions}), in the same transaction as the
 * events. A cached day is used only when it was formed at the day's current version, read in the
 * same snapshot as the answer ({@link DuckDbReads} runs both in one transaction), so an answer
 * never mixes cached sessions with events they were not formed from.
 *
 * <p><b>Forming.</b> Missing or outdated days are formed in contiguous runs by the same SQL as the
 * sessions of a query ({@link DuckDbSessionsSql#form}), over the run widened by the horizon, and
 * stored with the versions of that snapshot; one reader forms at a time (a lock), in its own
 * transaction, which deletes the days' older rows first, so a day has the rows of one version only.
 * {@link DuckDbSessionRefresher} forms outdated days the same way after loads, under the same lock.
 *
 * <p><b>Exactness.</b> Forming per day gives the same sessions as forming over a query's range
 * (with its own horizon) for every session shorter than the horizon. A longer one (a client
 * {@code sessionId} reused days apart, or a user active without a 30-minute pause for a day) is
 * cut differently depending on the window, so the days such a session may touch are marked
 * {@code unsafe}: a range with an unsafe day is answered from the events as before. Detecting them
 * needs, besides the span, whether a client session id of the window also occurs outside it
 * (anywhere in the app's history): one scan of the app's session ids, paid when days are formed.
 */
final class DuckDbSessionCache {

    private static final Logger log = LoggerFactory.getLogger(DuckDbSessionCache.class);

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
     * days. Parameters: the app twice.
     */
    private static final String CORRECT_USER_FIRST = """
            UPDATE session_cache AS s SET user_first = m.first_start
            FROM (
                SELECT who, min(start_ts) AS first_start
                FROM session_cache
                WHERE app_id = ? AND who IN (SELECT who FROM touched_users)
                GROUP BY who
            ) m
            WHERE s.app_id = ? AND s.who = m.who AND s.user_first IS DISTINCT FROM m.first_start""";

    /** What a statement needs: an app's sessions on the days {@code first..last}, and for users every day before. */
    record Need(String appId, LocalDate first, LocalDate last, boolean users) {

        static Need sessions(EventQuery q) {
            return new Need(q.appId(), firstDay(q), lastDay(q), false);
        }

        static Need users(EventQuery q) {
            return new Need(q.appId(), firstDay(q), lastDay(q), true);
        }

        Need and(Need other) {
            if (!appId.equals(other.appId)) {
                throw new IllegalArgumentException("one statement reads one app's sessions");
            }
            return new Need(appId, first.isBefore(other.first) ? first : other.first,
                    last.isAfter(other.last) ? last : other.last, users || other.users);
        }
    }

    /**
     * What the cache holds for a {@link Need}, in the reader's snapshot.
     *
     * @param sessions the need's days are cached at their current version and none is unsafe
     * @param users    so are all of the app's days up to the last one (first sessions ever)
     * @param missing  days to form first (then ask again)
     * @param days     the need's days are cached at their current version, safe or not (what
     *                 {@link DuckDbActiveUserHours} needs: its rows do not depend on sessions)
     */
    record Coverage(boolean sessions, boolean users, boolean missing, boolean days) {
        static final Coverage NONE = new Coverage(false, false, false, false);
    }

    /** Forms one run at a time, so that two readers never form (delete and insert) the same day. */
    private final ReentrantLock forming = new ReentrantLock();
    /** Days formed so far by reads (formed again counts again), for tests and meters. */
    private final AtomicLong formedOnRead = new AtomicLong();
    /** Days formed so far by {@link DuckDbSessionRefresher}. */
    private final AtomicLong formedInBackground = new AtomicLong();

    static LocalDate firstDay(EventQuery q) {
        return LocalDate.ofInstant(q.from(), ZoneOffset.UTC);
    }

    static LocalDate lastDay(EventQuery q) {
        LocalDate last = LocalDate.ofInstant(q.to().minusNanos(1000), ZoneOffset.UTC);
        LocalDate first = firstDay(q);
        return last.isBefore(first) ? first : last;
    }

    ReentrantLock lock() {
        return forming;
    }

    long formedDays() {
        return formedOnRead.get() + formedInBackground.get();
    }

    long formedOnRead() {
        return formedOnRead.get();
    }

    long formedInBackground() {
        return formedInBackground.get();
    }

    /** What the cache holds for {@code need}, read in {@code c}'s current transaction. */
    Coverage coverage(DuckDBConnection c, Need need) throws SQLException {
        LocalDate from = firstNeeded(c, need);
        Map<LocalDate, Long> current = versions(c, need.appId(), from, need.last());
        Map<LocalDate, Cached> cached = cachedDays(c, need.appId(), from, need.last());
        boolean missing = false;
        boolean sessionsSafe = true;
        boolean historySafe = true;
        for (LocalDate d = from; !d.isAfter(need.last()); d = d.plusDays(1)) {
            Cached day = cached.get(d);
            if (day == null || day.version() != current.getOrDefault(d, 0L)) {
                missing = true;
                continue;
            }
            if (day.unsafe()) {
                historySafe = false;
                if (!d.isBefore(need.first())) {
                    sessionsSafe = false;
                }
            }
        }
        // with days missing, the answer waits for them rather than reading the events
        return new Coverage(!missing && sessionsSafe, !missing && need.users() && historySafe, missing, !missing);
    }

    /**
     * Forms the missing days of {@code need} in {@code c}'s current transaction (the caller holds
     * {@link #lock()} and commits), and says what the cache then holds.
     */
    Coverage form(DuckDBConnection c, Need need, SqlDialect dialect) throws SQLException {
        return form(c, need, dialect, formedOnRead);
    }

    /** As {@link #form(DuckDBConnection, Need, SqlDialect)} for {@link DuckDbSessionRefresher}. */
    Coverage refresh(DuckDBConnection c, Need need, SqlDialect dialect) throws SQLException {
        return form(c, need, dialect, formedInBackground);
    }

    private Coverage form(DuckDBConnection c, Need need, SqlDialect dialect, AtomicLong formed) throws SQLException {
        LocalDate from = firstNeeded(c, need);
        Map<LocalDate, Long> current = versions(c, need.appId(), from, need.last());
        Map<LocalDate, Cached> cached = cachedDays(c, need.appId(), from, need.last());
        LocalDate runStart = null;
        for (LocalDate d = from; !d.isAfter(need.last().plusDays(1)); d = d.plusDays(1)) {
            Cached day = cached.get(d);
            boolean stale = !d.isAfter(need.last()) && (day == null || day.version() != current.getOrDefault(d, 0L));
            if (stale && runStart == null) {
                runStart = d;
            } else if (!stale && runStart != null) {
                formRun(c, need.appId(), runStart, d.minusDays(1), current, dialect);
                formed.addAndGet(ChronoUnit.DAYS.between(runStart, d));
                runStart = null;
            }
        }
        return coverage(c, need);
    }

    /**
     * The first day of {@code need} to cache: for first sessions ever, the app's first versioned
     * day (or the need's first day when earlier), else the need's first day; but from there up to
     * that first versioned day, no day without events. Storing an event of day d versions d - 1
     * ({@link DuckDbDayVersions}), so the first versioned day and any before it hold no events,
     * unless events were stored before days had versions (schema V5), which the check finds. A day
     * without events holds no session whatever the window, while forming it reads the events of the
     * next day (the horizon): the first read of new users, or of an event metric by a session
     * dimension over an app's first days, paid that several times over (issue 16).
     */
    private static LocalDate firstNeeded(DuckDBConnection c, Need need) throws SQLException {
        LocalDate firstVersioned;
        try (PreparedStatement ps = c.prepareStatement("SELECT min(day) FROM day_versions WHERE app_id = ?")) {
            ps.setString(1, need.appId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                firstVersioned = rs.getObject(1, LocalDate.class);
            }
        }
        if (firstVersioned == null) {
            return need.first();
        }
        LocalDate from = need.users() && firstVersioned.isBefore(need.first()) ? firstVersioned : need.first();
        if (from.isAfter(firstVersioned)) {
            return from;
        }
        LocalDate firstWithEvents = firstVersioned.plusDays(1);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM events WHERE app_id = ? AND ts >= ? AND ts < ?)")) {
            ps.setString(1, need.appId());
            ps.setObject(2, from.atStartOfDay());
            ps.setObject(3, firstWithEvents.atStartOfDay());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? from : firstWithEvents;
            }
        }
    }

    private static Map<LocalDate, Long> versions(DuckDBConnection c, String appId, LocalDate from, LocalDate to)
            throws SQLException {
        Map<LocalDate, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT day, version FROM day_versions WHERE app_id = ? AND day >= ? AND day <= ?")) {
            bindDays(ps, appId, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getObject(1, LocalDate.class), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private record Cached(long version, boolean unsafe) {
    }

    private static Map<LocalDate, Cached> cachedDays(DuckDBConnection c, String appId, LocalDate from, LocalDate to)
            throws SQLException {
        Map<LocalDate, Cached> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT day, version, unsafe FROM session_cache_days WHERE app_id = ? AND day >= ? AND day <= ?")) {
            bindDays(ps, appId, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getObject(1, LocalDate.class), new Cached(rs.getLong(2), rs.getBoolean(3)));
                }
            }
        }
        return out;
    }

    private static void bindDays(PreparedStatement ps, String appId, LocalDate from, LocalDate to) throws SQLException {
        ps.setString(1, appId);
        ps.setObject(2, from);
        ps.setObject(3, to);
    }

    /**
     * Forms the sessions starting on the days {@code first..last} from the events of the run
     * widened by the horizon, replaces the days' cached rows with them (with {@code user_first}, and
     * the overview's {@code user_prev} columns and hours by {@link DuckDbOverviewHours}, the active users'
     * and the event metrics' hours by {@link DuckDbActiveUserHours} and {@link DuckDbEventSessionHours}), and marks
     * the days a suspicious session touches (its days and one either side) unsafe.
     */
    private void formRun(DuckDBConnection c, String appId, LocalDate first, LocalDate last,
                                Map<LocalDate, Long> versions, SqlDialect dialect) throws SQLException {
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
        execute(c, touched);
        for (String table : List.of("session_cache", "session_cache_days")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE app_id = ? AND day >= ? AND day <= ?")) {
                bindDays(ps, appId, first, last);
                ps.executeUpdate();
            }
        }
        Sql formed = new Sql().append("CREATE OR REPLACE TEMP TABLE formed_sessions AS\n");
        DuckDbSessionsSql.form(formed, dialect, appId, windowFrom, windowTo, "");
        formed.append(WITH_PAGE_TRANSITIONS);
        execute(c, formed);
        long t1 = System.nanoTime();
        Sql insert = new Sql().append(INSERT_FORMED.formatted(DuckDbSessionsSql.SESSION_COLUMNS, prefixed("f.")),
                runFrom, runTo, appId, appId, appId);
        execute(c, insert);
        execute(c, new Sql().append("""
                INSERT INTO touched_users
                SELECT DISTINCT who FROM formed_sessions WHERE start_ts >= ? AND start_ts < ? AND who IS NOT NULL""",
                runFrom, runTo));
        execute(c, new Sql().append(CORRECT_USER_FIRST, appId, appId));
        DuckDbOverviewHours.formed(c, appId, first, last, dialect);
        DuckDbActiveUserHours.form(c, appId, first, last);
        DuckDbEventSessionHours.form(c, appId, first, last);
        long t2 = System.nanoTime();
        Set<LocalDate> unsafe = new HashSet<>();
        Sql suspicious = new Sql().append(SUSPICIOUS, appId, windowFrom, windowTo, SUSPICIOUS_SPAN.toMillis());
        try (PreparedStatement ps = prepared(c, suspicious); ResultSet rs = ps.executeQuery()) {
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

    static void execute(DuckDBConnection c, Sql sql) throws SQLException {
        try (PreparedStatement ps = prepared(c, sql)) {
            ps.execute();
        }
    }

    private static PreparedStatement prepared(DuckDBConnection c, Sql sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql.text());
        try {
            List<Object> params = sql.parameters();
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
