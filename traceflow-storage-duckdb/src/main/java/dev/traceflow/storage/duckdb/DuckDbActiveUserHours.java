package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.query.TimeBuckets.OffsetSpan;
import org.duckdb.DuckDBConnection;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Active users from per-UTC-hour distinct users ({@code active_user_hours},
 * {@code schema/V12__active_user_hours.sql}) instead of a distinct count over every event of the
 * range. The rows of a day are formed with the day's sessions ({@link DuckDbSessionCache}, same
 * versions, lock and transaction), so a statement that finds the range's days cached at their
 * current version ({@link DuckDbSessionCache.Coverage#days()}) may read them.
 *
 * <p><b>Which answers.</b> Hour, day, week and month buckets, with any filters or a path filter
 * alone (a row keeps the filter columns of its events but path; {@code active_user_paths} keeps
 * (hour, user, path)), when the zone's offset is a whole number of hours over the range: then
 * every bucket is a run of whole UTC hours. Buckets wholly inside the range are counted from the
 * rows; the partial first and last bucket (a range is rarely hour-aligned) from the events, as
 * before. Minute buckets, a path with another filter and half-hour zones are answered from the
 * events.
 *
 * <p><b>Exactness.</b> A user is active in a bucket when an event of theirs (matching the filters)
 * is in it, that is when a row of theirs (matching the filters) has its hour in it: with filters,
 * the count is of distinct user numbers over those rows. Without, one row per (hour, user) is
 * marked, so an hour's users are its marked rows, and a day counts a user's first marked row in it:
 * one whose {@code prev_hour} lies outside the bucket. {@code prev_hour} is exact back to the start
 * of the previous UTC day, and a day bucket of a zone with an offset under 24 hours starts no
 * earlier than that for every row in it. Weeks and months count distinct user numbers.
 */
final class DuckDbActiveUserHours {

    /** API.md's user of one event. */
    static final String USER = "coalesce(user_id, anonymous_id, session_id)";

    /** The event columns a row keeps, those filters compare (all of {@code Filters}' but path). */
    private static final String COLUMNS = "release, environment, browser, os, device_type, country";

    /**
     * A run's rows with the user's text, from the events of the run and the day before it (for
     * {@code prev_hour}). Parameters: app, the window's start and end, the run's start.
     */
    private static final String FORMED = """
            CREATE OR REPLACE TEMP TABLE formed_user_hours AS
            SELECT * FROM (
                SELECT hour, who, %2$s, first_of_hour,
                       CASE WHEN first_of_hour THEN lag(hour) OVER (PARTITION BY who, first_of_hour ORDER BY hour) END AS prev_hour
                FROM (
                    SELECT *, row_number() OVER (PARTITION BY hour, who) = 1 AS first_of_hour
                    FROM (
                        SELECT DISTINCT date_trunc('hour', ts) AS hour, %1$s AS who, %2$s
                        FROM events
                        WHERE app_id = ? AND ts >= ? AND ts < ? AND %1$s IS NOT NULL
                    )
                )
            )
            WHERE hour >= ?""".formatted(USER, COLUMNS);

    /**
     * Numbers the run's users not numbered yet, after the app's highest number (a number freed by
     * a forgotten user may be given again: no row holds it). Parameters: app three times.
     */
    private static final String NEW_IDS = """
            INSERT INTO active_user_ids
            SELECT ?, who, (SELECT coalesce(max(uid), 0) FROM active_user_ids WHERE app_id = ?) + row_number() OVER (ORDER BY who)
            FROM (SELECT DISTINCT who FROM formed_user_hours) n
            WHERE NOT EXISTS (SELECT 1 FROM active_user_ids i WHERE i.app_id = ? AND i.who = n.who)""";

    /** The run's (hour, user, path) rows, numbered as the run's users. Parameters: app three times, the run's start and end. */
    private static final String INSERT_PATHS = """
            INSERT INTO active_user_paths
            SELECT ?, p.hour::DATE, p.hour, i.uid, p.path
            FROM (
                SELECT DISTINCT date_trunc('hour', ts) AS hour, %1$s AS who, path
                FROM events
                WHERE app_id = ? AND ts >= ? AND ts < ? AND %1$s IS NOT NULL AND path IS NOT NULL
            ) p
            JOIN active_user_ids i ON i.app_id = ? AND i.who = p.who
            ORDER BY p.hour""".formatted(USER);

    /** In hour order, so that the rows of a range lie together. Parameters: app twice. */
    private static final String INSERT = """
            INSERT INTO active_user_hours
            SELECT ?, f.hour::DATE, f.hour, i.uid, %s, f.first_of_hour, f.prev_hour
            FROM formed_user_hours f JOIN active_user_ids i ON i.app_id = ? AND i.who = f.who
            ORDER BY f.hour""".formatted("f." + COLUMNS.replace(", ", ", f."));

    private DuckDbActiveUserHours() {
    }

    /**
     * Replaces the rows of the UTC days {@code first..last} with those of the events now, in
     * {@code c}'s transaction; called by {@link DuckDbSessionCache} for every run it forms.
     */
    static void form(DuckDBConnection c, String appId, LocalDate first, LocalDate last) throws SQLException {
        Instant runFrom = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant runTo = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        // the numbers of the users whose rows this run deletes: those left without rows are forgotten
        execute(c, """
                CREATE OR REPLACE TEMP TABLE touched_uids AS
                SELECT DISTINCT uid FROM active_user_hours WHERE app_id = ? AND day >= ? AND day <= ?""", appId, first, last);
        for (String table : List.of("active_user_hours", "active_user_paths")) {
            execute(c, "DELETE FROM " + table + " WHERE app_id = ? AND day >= ? AND day <= ?", appId, first, last);
        }
        execute(c, FORMED, appId, Sql.utc(runFrom.minusSeconds(86_400)), Sql.utc(runTo), Sql.utc(runFrom));
        execute(c, NEW_IDS, appId, appId, appId);
        execute(c, INSERT, appId, appId);
        // the run's users with a path are among formed_user_hours', so all are numbered by now
        execute(c, INSERT_PATHS, appId, appId, Sql.utc(runFrom), Sql.utc(runTo), appId);
        // an opted-out or retired user's text goes with their last rows (a path row always has an hour row)
        execute(c, """
                DELETE FROM active_user_ids
                WHERE app_id = ? AND uid IN (SELECT uid FROM touched_uids)
                  AND uid NOT IN (SELECT uid FROM active_user_hours WHERE app_id = ?)""", appId, appId);
        execute(c, "DROP TABLE formed_user_hours");
        execute(c, "DROP TABLE touched_uids");
    }

    private static void execute(DuckDBConnection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.execute();
        }
    }

    /**
     * Whether the rows can answer {@code q}'s active users: hour or coarser buckets, a path
     * filter only alone, and a whole-hour offset throughout the range.
     */
    static boolean answers(EventQuery q) {
        return (q.filters().path() == null || q.filters().byColumn().size() == 1) && wholeHourBuckets(q);
    }

    /**
     * Whether every bucket of {@code q} is a run of whole UTC hours: hour or coarser buckets, and a
     * whole-hour offset throughout the range (also {@link DuckDbEventSessionHours}' condition).
     */
    static boolean wholeHourBuckets(EventQuery q) {
        TimeBuckets buckets = q.buckets();
        if (buckets.granularity() == Granularity.MINUTE) {
            return false;
        }
        for (OffsetSpan span : TimeBuckets.offsets(buckets.zone(), buckets.starts().getFirst(), q.to())) {
            if (span.offsetSeconds() % 3600 != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes {@code q}'s active users per bucket ({@code k}: the dialect's bucket key, {@code users})
     * for a query that {@link #answers}, with the range's days cached: the whole buckets from the
     * rows, the partial ones from the events. {@code eventsPart} writes the events' count for a
     * sub-range, grouped by key.
     */
    static void write(Sql into, EventQuery q, SqlDialect dialect, EventsPart eventsPart) {
        TimeBuckets buckets = q.buckets();
        List<Instant> starts = buckets.starts();
        // the whole buckets are [wholeFrom, wholeTo): both are bucket starts, and bucket starts are whole hours
        Instant wholeFrom = starts.getFirst().equals(q.from()) ? q.from() : starts.size() > 1 ? starts.get(1) : q.to();
        Instant wholeTo = buckets.startOf(q.to());
        if (!wholeFrom.isBefore(wholeTo)) {
            eventsPart.write(into, q.from(), q.to());
            return;
        }
        String key = dialect.bucketKey("hour", buckets, starts.getFirst(), q.to());
        boolean filtered = !q.filters().isEmpty();
        String users = filtered ? "count(DISTINCT uid)" : switch (buckets.granularity()) {
            case HOUR -> "count(*) FILTER (first_of_hour)";
            case DAY -> "count(*) FILTER (first_of_hour AND (prev_hour IS NULL OR prev_hour < ? OR "
                    + dialect.bucketKey("prev_hour", buckets, starts.getFirst(), q.to()) + " <> " + key + "))";
            default -> "count(DISTINCT uid)";
        };
        String table = q.filters().path() != null ? "active_user_paths" : "active_user_hours";
        String select = "SELECT " + key + " AS k, " + users + " AS users\nFROM " + table + "\n"
                + "WHERE app_id = ? AND hour >= ? AND hour < ?";
        if (!filtered && buckets.granularity() == Granularity.DAY) {
            // a prev_hour before the whole buckets is outside them, and the bucket key is only meant for the range
            into.append(select, wholeFrom, q.appId(), wholeFrom, wholeTo);
        } else {
            into.append(select, q.appId(), wholeFrom, wholeTo);
        }
        // the rows keep the filtered columns under the events' names
        into.eventFilters("", q).append("\nGROUP BY k");
        if (q.from().isBefore(wholeFrom)) {
            into.append("\nUNION ALL\n");
            eventsPart.write(into, q.from(), wholeFrom);
        }
        if (wholeTo.isBefore(q.to())) {
            into.append("\nUNION ALL\n");
            eventsPart.write(into, wholeTo, q.to());
        }
    }

    /** Writes a statement of {@code (k, users)} rows from the events of {@code [from, to)}. */
    @FunctionalInterface
    interface EventsPart {
        void write(Sql into, Instant from, Instant to);
    }
}
