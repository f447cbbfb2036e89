package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;

import java.time.Instant;
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
 * the range's events are scanned.
 */
final class DuckDbOverviewFilters {

    /**
     * {@code sessions}: the range's cached sessions that match the filters, only the columns the
     * totals read. Parameters: app, days, range, then the filters' values (appended by the caller).
     */
    private static final String SESSIONS = """
            WITH sessions AS (
                SELECT who, user_first, start_ts, end_ts, page_views, conversions
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?""";

    /**
     * The sessions summed without grouping, and only the two user counts from a grouping by user
     * (a visitor; new if the first start is in the range). Parameters: the range's start (for new
     * users). {@code %s}: the conditions and the duration of the totals.
     */
    private static final String SESSION_TOTALS = """
            , per_user AS (
                SELECT min(user_first) AS first_start
                FROM sessions
                WHERE who IS NOT NULL
                GROUP BY who
            ),
            session_totals AS (
                SELECT u.visitors, t.sessions, t.engaged, t.viewed, t.bounced, t.duration_ms, t.views, u.new_users
                FROM (
                    SELECT count(*) AS visitors, count(*) FILTER (WHERE first_start >= ?) AS new_users
                    FROM per_user
                ) u, (
                    SELECT %s
                    FROM sessions
                ) t
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
        into.append(SESSIONS, q.appId(), DuckDbSessionCache.firstDay(q), DuckDbSessionCache.lastDay(q), q.from(), q.to());
        DuckDbSessionsSql.filters(q, into);
        into.append("\n)\n");
        into.append(SESSION_TOTALS.formatted(DuckDbOverviewHours.sessionSums(dialect)), q.from());
        DuckDbEventSessionHours.Hours whole = q.filters().path() == null ? DuckDbEventSessionHours.Hours.within(q.from(), q.to()) : null;
        if (whole == null) {
            eventTotals(into, q);
            return;
        }
        String filters = eventFilters(q);
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
