package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import org.duckdb.DuckDBConnection;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The unfiltered overview without grouping a range's sessions by user or scanning its events
 * ({@code schema/V11__overview_hours.sql}): each cached session's {@code user_prev} (the start of
 * its user's previous cached session, in start then id order) and the per-hour sums of
 * {@code overview_hours}, both formed with the cached days by {@link DuckDbSessionCache} and so as
 * current as the days' rows.
 *
 * <p>Over a range, a user's first session in it is the one whose {@code user_prev} is NULL (then it
 * is their first ever: a new user) or before the range: visitors and new users are counts of the
 * range's rows. The sums come from the hours wholly inside the range, plus the cached sessions and
 * the events of its partial first and last hour. Filters need the sessions and events themselves,
 * so only an unfiltered overview is answered here; the result is the same as the grouping's.
 */
final class DuckDbOverviewHours {

    /**
     * {@code user_prev} of every cached row of the run's {@code touched_users} (whose rows the run
     * deleted or inserted), where it changed: the run's new rows, and the user's rows after the
     * run's days whose previous session is now another. Parameters: the app twice.
     */
    private static final String CORRECT_USER_PREV = """
            UPDATE session_cache AS s SET user_prev = m.prev
            FROM (
                SELECT who, id, start_ts, lag(start_ts) OVER (PARTITION BY who ORDER BY start_ts, id) AS prev
                FROM session_cache
                WHERE app_id = ? AND who IN (SELECT who FROM touched_users)
            ) m
            WHERE s.app_id = ? AND s.who = m.who AND s.id = m.id AND s.start_ts = m.start_ts
              AND s.user_prev IS DISTINCT FROM m.prev""";

    /** The overview's sums of one cached session ({@code %s}: the duration in ms), as one row of hours. */
    private static final String SESSION_SUMS = """
            count(*) AS sessions,
                       count(*) FILTER (WHERE %1$s >= 10000 OR page_views >= 2 OR conversions > 0) AS engaged,
                       count(*) FILTER (WHERE page_views >= 1) AS viewed,
                       count(*) FILTER (WHERE page_views = 1 AND conversions = 0) AS bounced,
                       coalesce(sum(%1$s) FILTER (WHERE page_views >= 1), 0) AS duration_ms,
                       coalesce(sum(page_views) FILTER (WHERE page_views >= 1), 0) AS views""";

    private static final String EVENT_SUMS = """
            count(*) FILTER (WHERE type = 'pageview') AS page_views,
                       count(*) FILTER (WHERE type IN ('conversion', 'purchase')) AS conversions,
                       coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0) AS revenue""";

    /**
     * The hours of a formed run's days: its cached sessions by their start's hour, its events by
     * theirs. Parameters: app, first and last day, app, the run's start and end.
     */
    private static final String FORM = """
            INSERT INTO overview_hours
            SELECT app_id, day, hour, sum(sessions), sum(engaged), sum(viewed), sum(bounced), sum(duration_ms), sum(views),
                   sum(page_views), sum(conversions), sum(revenue)
            FROM (
                SELECT app_id, day, date_trunc('hour', start_ts) AS hour, %s,
                       0 AS page_views, 0 AS conversions, 0.0 AS revenue
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ?
                GROUP BY ALL
                UNION ALL BY NAME
                SELECT app_id, ts::DATE AS day, date_trunc('hour', ts) AS hour, 0 AS sessions, 0 AS engaged, 0 AS viewed,
                       0 AS bounced, 0 AS duration_ms, 0 AS views, %s
                FROM events
                WHERE app_id = ? AND ts >= ? AND ts < ?
                GROUP BY ALL
            )
            GROUP BY app_id, day, hour""";

    /**
     * {@code session_totals} and {@code event_totals} in the columns {@link DuckDbMetricQueries#overview}
     * reads. {@code %s}: the sums of sessions, then of events. Parameters: the range's start, app,
     * days, range (users); app, whole hours, app, days, first edge, app, days, last edge (sessions);
     * app, whole hours, app, first edge, app, last edge (events).
     */
    private static final String TOTALS = """
            WITH users AS (
                SELECT count(*) FILTER (WHERE user_prev IS NULL OR user_prev < ?) AS visitors,
                       count(*) FILTER (WHERE user_prev IS NULL) AS new_users
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ? AND who IS NOT NULL
            ),
            session_parts AS (
                SELECT sessions, engaged, viewed, bounced, duration_ms, views
                FROM overview_hours WHERE app_id = ? AND hour >= ? AND hour < ?
                UNION ALL
                SELECT %1$s FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?
                UNION ALL
                SELECT %1$s FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?
            ),
            session_totals AS (
                SELECT u.visitors, t.sessions, t.engaged, t.viewed, t.bounced, t.duration_ms, t.views, u.new_users
                FROM users u, (
                    SELECT coalesce(sum(sessions), 0)::BIGINT AS sessions, coalesce(sum(engaged), 0)::BIGINT AS engaged,
                           coalesce(sum(viewed), 0)::BIGINT AS viewed, coalesce(sum(bounced), 0)::BIGINT AS bounced,
                           coalesce(sum(duration_ms), 0) AS duration_ms, coalesce(sum(views), 0) AS views
                    FROM session_parts
                ) t
            ),
            event_parts AS (
                SELECT page_views, conversions, revenue FROM overview_hours WHERE app_id = ? AND hour >= ? AND hour < ?
                UNION ALL
                SELECT %2$s FROM events WHERE app_id = ? AND ts >= ? AND ts < ?
                UNION ALL
                SELECT %2$s FROM events WHERE app_id = ? AND ts >= ? AND ts < ?
            ),
            event_totals AS (
                SELECT coalesce(sum(page_views), 0)::BIGINT AS page_views, coalesce(sum(conversions), 0)::BIGINT AS conversions,
                       coalesce(sum(revenue), 0) AS revenue
                FROM event_parts
            )
            """;

    private DuckDbOverviewHours() {
    }

    /**
     * Keeps {@code user_prev} and {@code overview_hours} current for a run of days that
     * {@link DuckDbSessionCache} has just formed (its rows inserted, {@code user_first} corrected),
     * in the same transaction: the run's users are in {@code touched_users}.
     */
    static void formed(DuckDBConnection c, String appId, LocalDate first, LocalDate last, SqlDialect dialect)
            throws SQLException {
        DuckDbSessionCache.execute(c, new Sql().append(CORRECT_USER_PREV, appId, appId));
        DuckDbSessionCache.execute(c, new Sql().append("DELETE FROM overview_hours WHERE app_id = ? AND day >= ? AND day <= ?",
                appId, first, last));
        Instant runFrom = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant runTo = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        DuckDbSessionCache.execute(c, new Sql().append(FORM.formatted(sessionSums(dialect), EVENT_SUMS),
                appId, first, last, appId, runFrom, runTo));
    }

    /** Whether {@link #totals} answers the query: no filters, and the cache holds the range's days and all before. */
    static boolean answers(EventQuery q, DuckDbSessionCache.Coverage coverage) {
        return coverage.sessions() && coverage.users() && q.filters().isEmpty();
    }

    /** Appends {@code WITH ... session_totals AS (...), event_totals AS (...)}; only where {@link #answers} holds. */
    static void totals(Sql into, EventQuery q, SqlDialect dialect) {
        Instant from = q.from();
        Instant to = q.to();
        // the whole hours [hoursFrom, hoursTo) come from overview_hours, the rest of the range from the rows
        Instant hoursFrom = from.truncatedTo(ChronoUnit.HOURS);
        if (hoursFrom.isBefore(from)) {
            hoursFrom = hoursFrom.plus(Duration.ofHours(1));
        }
        Instant hoursTo = to.truncatedTo(ChronoUnit.HOURS);
        if (!hoursFrom.isBefore(hoursTo)) {
            hoursFrom = to;
            hoursTo = to;
        }
        String app = q.appId();
        LocalDate firstDay = DuckDbSessionCache.firstDay(q);
        LocalDate lastDay = DuckDbSessionCache.lastDay(q);
        into.append(TOTALS.formatted(sessionSums(dialect), EVENT_SUMS),
                from, app, firstDay, lastDay, from, to,
                app, hoursFrom, hoursTo, app, firstDay, lastDay, from, hoursFrom, app, firstDay, lastDay, hoursTo, to,
                app, hoursFrom, hoursTo, app, from, hoursFrom, app, hoursTo, to);
    }

    private static String sessionSums(SqlDialect dialect) {
        return SESSION_SUMS.formatted("(" + dialect.epochMillis("end_ts") + " - " + dialect.epochMillis("start_ts") + ")");
    }
}
