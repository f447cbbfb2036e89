package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import org.duckdb.DuckDBConnection;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The overview with two or more filters, when the cache holds the range's days and all before
 * (fewer filters: {@link DuckDbOverviewHours}; a range the cache does not hold:
 * {@link DuckDbMetricQueries}). No sums kept per hour can hold the sessions of every combination
 * of filters, so the session numbers come from the range's cached sessions that match them, each
 * with its user's first session start ever ({@code user_first}, schema V10). The event numbers
 * compare the events' own columns, which {@code event_session_hours} (schema V13,
 * {@link DuckDbEventSessionHours}) keeps per UTC hour for every filter but path: the range's whole
 * hours are read there, its partial first and last hour from the events; with a path filter all
 * the range's events are scanned. Without a path filter the session sums of the whole hours come
 * likewise from {@code session_filter_hours} (schema V19, formed here with the cached days), so the
 * range's matching sessions are read only for their users; with one, from the matching sessions.
 */
final class DuckDbOverviewFilters {

    /** The session columns {@code session_filter_hours} groups by: every filter's but the entry page's. */
    static final List<String> HOUR_COLUMNS = DuckDbOverviewHours.FILTERS.stream().filter(f -> !f.equals("path")).toList();

    /**
     * The session sums of a formed run's days by hour and {@link #HOUR_COLUMNS} ({@code %1$s}: the
     * columns, {@code %2$s}: the session sums). Parameters: app, first and last day.
     */
    private static final String FORM = """
            INSERT INTO session_filter_hours (app_id, day, hour, %1$s, sessions, engaged, viewed, bounced, duration_ms, views)
            SELECT app_id, day, date_trunc('hour', start_ts) AS hour, %1$s, %2$s
            FROM session_cache
            WHERE app_id = ? AND day >= ? AND day <= ?
            GROUP BY app_id, day, date_trunc('hour', start_ts), %1$s
            ORDER BY hour""";

    /**
     * {@code per_user} and {@code session_parts} where no filter is on the path: the users from the
     * range's matching sessions (only who and the first start read), the sums from the whole hours'
     * rows and the edge hours' sessions. {@code %1$s}: the filters' conditions, {@code %2$s}: the
     * session sums. Parameters: app, days, range, [filters] (users); app, whole hours, [filters];
     * app, days, first edge, [filters]; app, days, last edge, [filters].
     */
    private static final String USERS_AND_PARTS_BY_HOURS = """
            WITH per_user AS (
                SELECT min(user_first) AS first_start
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?%1$s AND who IS NOT NULL
                GROUP BY who
            ),
            session_parts AS (
                SELECT sessions, engaged, viewed, bounced, duration_ms, views
                FROM session_filter_hours
                WHERE app_id = ? AND hour >= ? AND hour < ?%1$s
                UNION ALL
                SELECT %2$s FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?%1$s
                UNION ALL
                SELECT %2$s FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?%1$s
            ),
            """;

    /**
     * {@code sessions}: the range's cached sessions that match the filters, only the columns the
     * totals read. Parameters: app, days, range, then the filters' values (appended by the caller).
     */
    private static final String SESSIONS = """
            WITH sessions AS (
                SELECT who, user_first, start_ts, end_ts, page_views, conversions
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?""";

    /** {@code per_user}: the first start of each user of {@code sessions} (a visitor; new if it is in the range). */
    private static final String USERS_OF_SESSIONS = """
            , per_user AS (
                SELECT min(user_first) AS first_start
                FROM sessions
                WHERE who IS NOT NULL
                GROUP BY who
            ),
            """;

    /**
     * {@code session_totals}: the two user counts of {@code per_user} beside one row of session sums
     * ({@code %s}). Parameter: the range's start (new users).
     */
    private static final String SESSION_TOTALS = """
            session_totals AS (
                SELECT u.visitors, t.sessions, t.engaged, t.viewed, t.bounced, t.duration_ms, t.views, u.new_users
                FROM (
                    SELECT count(*) AS visitors, count(*) FILTER (WHERE first_start >= ?) AS new_users
                    FROM per_user
                ) u, (%s) t
            ),
            """;

    /**
     * {@code event_totals} from the whole hours' rows and the edge hours' events. {@code %1$s}: the
     * event sums, {@code %2$s}: the filters' conditions. Parameters: app, whole hours, [filters]; app, first edge, [filters]; app, last
     * edge, [filters].
     */
    private static final String EVENT_TOTALS_BY_HOURS = """
            event_parts AS (
                SELECT page_views, conversions, revenue
                FROM event_session_hours
                WHERE app_id = ? AND hour >= ? AND hour < ?%2$s
                UNION ALL
                SELECT %1$s FROM events WHERE app_id = ? AND ts >= ? AND ts < ?%2$s
                UNION ALL
                SELECT %1$s FROM events WHERE app_id = ? AND ts >= ? AND ts < ?%2$s
            ),
            event_totals AS (
                SELECT coalesce(sum(page_views), 0)::BIGINT AS page_views, coalesce(sum(conversions), 0)::BIGINT AS conversions,
                       coalesce(sum(revenue), 0) AS revenue
                FROM event_parts
            )
            """;

    /** {@code event_totals} over every event of the range that matches the filters. Parameters: app, range, [filters]. */
    private static final String EVENT_TOTALS = """
            event_totals AS (
                SELECT %s
                FROM events
                WHERE app_id = ? AND ts >= ? AND ts < ?""";

    private DuckDbOverviewFilters() {
    }

    /**
     * Appends {@code WITH ... session_totals AS (...), event_totals AS (...)} in the columns
     * {@link DuckDbMetricQueries#overview} reads; only where the cache holds the range's days and
     * all before ({@code coverage.sessions() && coverage.users()}).
     */
    static void totals(Sql into, EventQuery q, SqlDialect dialect) {
        DuckDbEventSessionHours.Hours whole = q.filters().path() == null ? DuckDbEventSessionHours.Hours.within(q.from(), q.to()) : null;
        if (whole == null) {
            into.append(SESSIONS, q.appId(), DuckDbSessionCache.firstDay(q), DuckDbSessionCache.lastDay(q), q.from(), q.to());
            DuckDbSessionsSql.filters(q, into);
            into.append("\n)\n");
            into.append(USERS_OF_SESSIONS);
            into.append(SESSION_TOTALS.formatted("SELECT " + DuckDbOverviewHours.sessionSums(dialect) + " FROM sessions"), q.from());
            eventTotals(into, q);
            return;
        }
        // the filters compare the same column names in session_cache and session_filter_hours
        String filters = eventFilters(q);
        LocalDate firstDay = DuckDbSessionCache.firstDay(q);
        LocalDate lastDay = DuckDbSessionCache.lastDay(q);
        List<Object> s = new ArrayList<>();
        sessionPart(s, q, firstDay, lastDay, q.from(), q.to());
        s.addAll(List.of(q.appId(), whole.from(), whole.to()));
        s.addAll(q.filters().byColumn().values());
        sessionPart(s, q, firstDay, lastDay, q.from(), whole.from());
        sessionPart(s, q, firstDay, lastDay, whole.to(), q.to());
        into.append(USERS_AND_PARTS_BY_HOURS.formatted(filters, DuckDbOverviewHours.sessionSums(dialect)), s.toArray());
        into.append(SESSION_TOTALS.formatted(DuckDbOverviewHours.SUMMED_SESSION_PARTS), q.from());
        List<Object> p = new ArrayList<>();
        // the whole hours from their rows, then each edge from the events
        part(p, q, whole.from(), whole.to());
        part(p, q, q.from(), whole.from());
        part(p, q, whole.to(), q.to());
        into.append(EVENT_TOTALS_BY_HOURS.formatted(DuckDbOverviewHours.EVENT_SUMS, filters), p.toArray());
    }

    /** Appends {@code event_totals AS (...)} over all the range's events that match the filters. */
    static void eventTotals(Sql into, EventQuery q) {
        into.append(EVENT_TOTALS.formatted(DuckDbOverviewHours.EVENT_SUMS), q.appId(), q.from(), q.to());
        into.eventFilters("", q).append("\n)\n");
    }

    /** The parameters of one session part of {@link #USERS_AND_PARTS_BY_HOURS}: app, days, {@code [from, to)}, the filters' values. */
    private static void sessionPart(List<Object> p, EventQuery q, LocalDate firstDay, LocalDate lastDay, Instant from, Instant to) {
        p.addAll(List.of(q.appId(), firstDay, lastDay, from, to));
        p.addAll(q.filters().byColumn().values());
    }

    /**
     * Forms {@code session_filter_hours} for a run of days that {@link DuckDbSessionCache} has just
     * formed, in the same transaction (called by {@link DuckDbOverviewHours#formed}).
     */
    static void formed(DuckDBConnection c, String appId, LocalDate first, LocalDate last, SqlDialect dialect) throws SQLException {
        DuckDbSessionCache.execute(c, new Sql().append("DELETE FROM session_filter_hours WHERE app_id = ? AND day >= ? AND day <= ?",
                appId, first, last));
        DuckDbSessionCache.execute(c, new Sql().append(FORM.formatted(String.join(", ", HOUR_COLUMNS),
                DuckDbOverviewHours.sessionSums(dialect)), appId, first, last));
    }

    /** The parameters of one part of {@link #EVENT_TOTALS_BY_HOURS}: app, {@code [from, to)}, the filters' values. */
    private static void part(List<Object> p, EventQuery q, Instant from, Instant to) {
        p.addAll(List.of(q.appId(), from, to));
        p.addAll(q.filters().byColumn().values());
    }

    /** {@code AND column = ?} for each filter, on the events' own columns (as {@code event_session_hours} names them too). */
    private static String eventFilters(EventQuery q) {
        StringBuilder s = new StringBuilder();
        for (String column : q.filters().byColumn().keySet()) {
            s.append(" AND ").append(column).append(" = ?");
        }
        return s.toString();
    }
}
