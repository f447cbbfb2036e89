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
 * <p><b>Which answers.</b> Without event filters (the rows keep no event columns), for hour, day,
 * week and month buckets, when the zone's offset is a whole number of hours over the range: then
 * every bucket is a run of whole UTC hours. Buckets wholly inside the range are counted from the
 * rows; the partial first and last bucket (a range is rarely hour-aligned) from the events, as
 * before. Minute buckets, filters and half-hour zones are answered from the events.
 *
 * <p><b>Exactness.</b> A row is one (hour, user) with an event, so an hour bucket's users are its
 * rows. A day bucket counts a user's first row in it: a row whose {@code prev_hour} lies outside
 * the bucket. {@code prev_hour} is exact back to the start of the previous UTC day, and a day
 * bucket of a zone with an offset under 24 hours starts no earlier than that for every row in it.
 * Weeks and months count distinct users over the rows.
 */
final class DuckDbActiveUserHours {

    /** API.md's user of one event. */
    static final String USER = "coalesce(user_id, anonymous_id, session_id)";

    /**
     * A run's rows, from the events of the run and the day before it (for {@code prev_hour}), in
     * hour order so that the rows of a range lie together. Parameters: app twice, the window's
     * start and end, the run's start.
     */
    private static final String FORM = """
            INSERT INTO active_user_hours
            SELECT ?, hour::DATE, hour, who, prev_hour
            FROM (
                SELECT hour, who, lag(hour) OVER (PARTITION BY who ORDER BY hour) AS prev_hour
                FROM (
                    SELECT DISTINCT date_trunc('hour', ts) AS hour, %1$s AS who
                    FROM events
                    WHERE app_id = ? AND ts >= ? AND ts < ? AND %1$s IS NOT NULL
                )
            )
            WHERE hour >= ?
            ORDER BY hour""".formatted(USER);

    private DuckDbActiveUserHours() {
    }

    /**
     * Replaces the rows of the UTC days {@code first..last} with those of the events now, in
     * {@code c}'s transaction; called by {@link DuckDbSessionCache} for every run it forms.
     */
    static void form(DuckDBConnection c, String appId, LocalDate first, LocalDate last) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM active_user_hours WHERE app_id = ? AND day >= ? AND day <= ?")) {
            ps.setString(1, appId);
            ps.setObject(2, first);
            ps.setObject(3, last);
            ps.executeUpdate();
        }
        Instant runFrom = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        try (PreparedStatement ps = c.prepareStatement(FORM)) {
            ps.setString(1, appId);
            ps.setString(2, appId);
            ps.setObject(3, Sql.utc(runFrom.minusSeconds(86_400)));
            ps.setObject(4, Sql.utc(last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
            ps.setObject(5, Sql.utc(runFrom));
            ps.executeUpdate();
        }
    }

    /**
     * Whether the rows can answer {@code q}'s active users: no event filter, hour or coarser
     * buckets, and a whole-hour offset throughout the range.
     */
    static boolean answers(EventQuery q) {
        TimeBuckets buckets = q.buckets();
        if (!q.filters().byColumn().isEmpty() || buckets.granularity() == Granularity.MINUTE) {
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
        String users = switch (buckets.granularity()) {
            case HOUR -> "count(*)";
            case DAY -> "count(*) FILTER (prev_hour IS NULL OR prev_hour < ? OR "
                    + dialect.bucketKey("prev_hour", buckets, starts.getFirst(), q.to()) + " <> " + key + ")";
            default -> "count(DISTINCT who)";
        };
        String select = "SELECT " + key + " AS k, " + users + " AS users\nFROM active_user_hours\n"
                + "WHERE app_id = ? AND hour >= ? AND hour < ?\nGROUP BY k";
        if (buckets.granularity() == Granularity.DAY) {
            // a prev_hour before the whole buckets is outside them, and the bucket key is only meant for the range
            into.append(select, wholeFrom, q.appId(), wholeFrom, wholeTo);
        } else {
            into.append(select, q.appId(), wholeFrom, wholeTo);
        }
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
