package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import org.duckdb.DuckDBConnection;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p><b>Forming.</b> Missing or outdated days are formed in contiguous runs ({@link DuckDbSessionRun})
 * by the same SQL as the sessions of a query ({@link DuckDbSessionsSql#form}), over the run widened
 * by the horizon, and
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
                DuckDbSessionRun.form(c, need.appId(), runStart, d.minusDays(1), current, dialect);
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

    static void execute(DuckDBConnection c, Sql sql) throws SQLException {
        try (PreparedStatement ps = prepared(c, sql)) {
            ps.execute();
        }
    }

    static PreparedStatement prepared(DuckDBConnection c, Sql sql) throws SQLException {
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
