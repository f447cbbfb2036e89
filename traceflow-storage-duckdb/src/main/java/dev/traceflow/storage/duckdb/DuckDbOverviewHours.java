package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import org.duckdb.DuckDBConnection;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The overview with no filter or one, without grouping a range's sessions by user or scanning all
 * its sessions and events ({@code schema/V11__overview_hours.sql}): each cached session's
 * {@code user_prev} (the start of its user's previous cached session, in start then id order) and
 * {@code user_prev_<filter>} (the same among the user's sessions with its value of that filter's
 * column), and the per-hour sums of {@code overview_hours} (all, and per value of each filter), all
 * formed with the cached days by {@link DuckDbSessionCache} and so as current as the days' rows.
 *
 * <p>Over a range, a user's first matching session in it is the one whose previous matching
 * session is missing or before the range: visitors are a count of the range's rows, new users the
 * count of those whose {@code user_first} is in the range. The sums come from the hours wholly
 * inside the range, plus the matching cached sessions and events of its partial first and last
 * hour. Two or more filters are answered by grouping the matching sessions by user
 * ({@link DuckDbOverviewFilters}); the numbers are the same either way.
 */
final class DuckDbOverviewHours {

    /** The filters, as {@code Filters.byColumn()} names them, whose values have their own hours and previous sessions. */
    static final List<String> FILTERS = List.of("release", "environment", "path", "browser", "os", "device_type", "country");

    /**
     * {@code user_prev} and {@code user_prev_<filter>} of the cached rows of the run's
     * {@code touched_users} (whose rows the run deleted or inserted) from the run's first day on,
     * where one changed: the run's new rows, and the user's rows after the run's days whose previous
     * session is now another. A row before the run keeps its previous session (all of it is before
     * the run too), so the windows run over the rows from the first day on only, each partition's
     * first row taking the latest start before that day ({@code seed_*}: an aggregate, not a sort,
     * of the user's earlier rows); a row's day is its start's, so every earlier row starts before
     * every later one. Kept in the temporary table {@code user_prev_fix} by row id (a join on the
     * rows' keys costs more than the windows), applied by {@link #APPLY_USER_PREV}. {@code %s}: the
     * seeds, the old values and windows, the seeds' joins, the conditions. Parameters: the app, the
     * run's first day twice.
     */
    private static final String CORRECT_USER_PREV = """
            CREATE OR REPLACE TEMP TABLE user_prev_fix AS
            WITH touched AS (
                SELECT rowid AS row_id, who, day, id, start_ts, release, environment, browser, os, device_type,
                       country, entry_page AS path, user_prev, user_prev_release, user_prev_environment,
                       user_prev_path, user_prev_browser, user_prev_os, user_prev_device_type, user_prev_country
                FROM session_cache
                WHERE app_id = ? AND who IN (SELECT who FROM touched_users)
            ),
            recent AS (SELECT * FROM touched WHERE day >= ?),
            earlier AS (SELECT * FROM touched WHERE day < ?)%s
            SELECT *
            FROM (
                SELECT r.row_id, r.day, %s
                FROM recent r%s
            )
            WHERE %s""";

    /**
     * Applies {@code user_prev_fix} to one side of the run's last day ({@code %s}: the assignments,
     * the side's condition on {@code day}). Parameter: the run's last day. Twice, because DuckDB
     * 2.0.0 corrupts memory when one UPDATE's rows, in the order its join hands them over, mix rows
     * this transaction inserted (the run's days) with committed ones (the days after the run): one
     * statement per kind keeps them apart (README, "DuckDB's memory corruption").
     */
    private static final String APPLY_USER_PREV = """
            UPDATE session_cache AS s SET %s
            FROM (SELECT * FROM user_prev_fix WHERE day %s ?) m
            WHERE s.rowid = m.row_id""";

    /** The overview's sums of cached sessions ({@code %s}: the duration in ms). */
    private static final String SESSION_SUMS = """
            count(*) AS sessions,
                       count(*) FILTER (WHERE %1$s >= 10000 OR page_views >= 2 OR conversions > 0) AS engaged,
                       count(*) FILTER (WHERE page_views >= 1) AS viewed,
                       count(*) FILTER (WHERE page_views = 1 AND conversions = 0) AS bounced,
                       coalesce(sum(%1$s) FILTER (WHERE page_views >= 1), 0) AS duration_ms,
                       coalesce(sum(page_views) FILTER (WHERE page_views >= 1), 0) AS views""";

    /** The overview's sums of events (shared with {@link DuckDbOverviewFilters}). */
    static final String EVENT_SUMS = """
            count(*) FILTER (WHERE type = 'pageview') AS page_views,
                       count(*) FILTER (WHERE type IN ('conversion', 'purchase')) AS conversions,
                       coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0) AS revenue""";

    /**
     * The hours of a formed run's days: its cached sessions by their start's hour, its events by
     * theirs, all and by each filter's value ({@code %s}: dim, value, session sums, grouping sets,
     * the same for events). Parameters: app, first and last day, app, the run's start and end.
     */
    private static final String FORM = """
            INSERT INTO overview_hours
            SELECT app_id, day, hour, dim, dim_value, sum(sessions), sum(engaged), sum(viewed), sum(bounced), sum(duration_ms),
                   sum(views), sum(page_views), sum(conversions), sum(revenue)
            FROM (
                SELECT app_id, day, hour, %1$s AS dim, %2$s AS dim_value, %3$s,
                       0 AS page_views, 0 AS conversions, 0.0 AS revenue
                FROM (SELECT *, date_trunc('hour', start_ts) AS hour, entry_page AS path FROM session_cache
                      WHERE app_id = ? AND day >= ? AND day <= ?)
                GROUP BY %4$s
                UNION ALL BY NAME
                SELECT app_id, day, hour, %1$s AS dim, %2$s AS dim_value, 0 AS sessions, 0 AS engaged, 0 AS viewed,
                       0 AS bounced, 0 AS duration_ms, 0 AS views, %5$s
                FROM (SELECT *, ts::DATE AS day, date_trunc('hour', ts) AS hour FROM events WHERE app_id = ? AND ts >= ? AND ts < ?)
                GROUP BY %4$s
            )
            WHERE dim_value IS NOT NULL
            GROUP BY app_id, day, hour, dim, dim_value""";

    /** One row of the session sums over {@code session_parts} (shared with {@link DuckDbOverviewFilters}). */
    static final String SUMMED_SESSION_PARTS = """
            SELECT coalesce(sum(sessions), 0)::BIGINT AS sessions, coalesce(sum(engaged), 0)::BIGINT AS engaged,
                   coalesce(sum(viewed), 0)::BIGINT AS viewed, coalesce(sum(bounced), 0)::BIGINT AS bounced,
                   coalesce(sum(duration_ms), 0) AS duration_ms, coalesce(sum(views), 0) AS views
            FROM session_parts""";

    /**
     * {@code session_totals} and {@code event_totals} in the columns {@link DuckDbMetricQueries#overview}
     * reads. {@code %s}: the previous matching session's column, the session sums, the event sums,
     * the filter on sessions, the filter on events, {@link #SUMMED_SESSION_PARTS}. Parameters: the range's start twice, app, days,
     * range, [value] (users); app, dim and value, whole hours, app, days, first edge, [value], app,
     * days, last edge, [value] (sessions); app, dim and value, whole hours, app, first edge, [value],
     * app, last edge, [value] (events).
     */
    private static final String TOTALS = """
            WITH users AS (
                SELECT count(*) AS visitors, count(*) FILTER (WHERE user_first >= ?) AS new_users
                FROM session_cache
                WHERE (%1$s IS NULL OR %1$s < ?)
                  AND app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ? AND who IS NOT NULL%4$s
            ),
            session_parts AS (
                SELECT sessions, engaged, viewed, bounced, duration_ms, views
                FROM overview_hours WHERE app_id = ? AND dim = ? AND dim_value = ? AND hour >= ? AND hour < ?
                UNION ALL
                SELECT %2$s FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?%4$s
                UNION ALL
                SELECT %2$s FROM session_cache WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?%4$s
            ),
            session_totals AS (
                SELECT u.visitors, t.sessions, t.engaged, t.viewed, t.bounced, t.duration_ms, t.views, u.new_users
                FROM users u, (%6$s) t
            ),
            event_parts AS (
                SELECT page_views, conversions, revenue
                FROM overview_hours WHERE app_id = ? AND dim = ? AND dim_value = ? AND hour >= ? AND hour < ?
                UNION ALL
                SELECT %3$s FROM events WHERE app_id = ? AND ts >= ? AND ts < ?%5$s
                UNION ALL
                SELECT %3$s FROM events WHERE app_id = ? AND ts >= ? AND ts < ?%5$s
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
     * Keeps the {@code user_prev} columns, {@code overview_hours} and {@code session_filter_hours}
     * ({@link DuckDbOverviewFilters}) current for a run of days that
     * {@link DuckDbSessionCache} has just formed (its rows inserted, {@code user_first} corrected),
     * in the same transaction: the run's users are in {@code touched_users}.
     */
    static void formed(DuckDBConnection c, String appId, LocalDate first, LocalDate last, SqlDialect dialect)
            throws SQLException {
        List<String> sets = new ArrayList<>();
        StringBuilder seeds = new StringBuilder();
        List<String> columns = new ArrayList<>();
        StringBuilder joins = new StringBuilder();
        List<String> changed = new ArrayList<>();
        List<String> filters = new ArrayList<>(FILTERS);
        filters.addFirst(null);
        for (String filter : filters) {
            String column = prevColumn(filter);
            String seed = "seed_" + column;
            sets.add(column + " = m." + column);
            // path: the entry page, as touched names it; NULL values partition together, as in a window
            String partition = filter == null ? "who" : "who, " + filter;
            seeds.append(",\n            ").append(seed).append(" AS (SELECT ").append(partition)
                    .append(", max(start_ts) AS p FROM earlier GROUP BY ").append(partition).append(")");
            joins.append("\n                LEFT JOIN ").append(seed).append(" ON ").append(seed).append(".who = r.who");
            if (filter != null) {
                joins.append(" AND ").append(seed).append('.').append(filter).append(" IS NOT DISTINCT FROM r.").append(filter);
            }
            columns.add("r." + column + " AS old_" + column + ", coalesce(lag(r.start_ts) OVER (PARTITION BY r."
                    + partition.replace(", ", ", r.") + " ORDER BY r.start_ts, r.id), " + seed + ".p) AS " + column);
            changed.add("old_" + column + " IS DISTINCT FROM " + column);
        }
        DuckDbSessionCache.execute(c, new Sql().append(CORRECT_USER_PREV.formatted(seeds,
                String.join(",\n                       ", columns), joins, String.join(" OR ", changed)), appId, first, first));
        for (String side : List.of("<=", ">")) {
            DuckDbSessionCache.execute(c, new Sql().append(APPLY_USER_PREV.formatted(String.join(", ", sets), side), last));
        }
        DuckDbSessionCache.execute(c, new Sql().append("DROP TABLE user_prev_fix"));
        DuckDbSessionCache.execute(c, new Sql().append("DELETE FROM overview_hours WHERE app_id = ? AND day >= ? AND day <= ?",
                appId, first, last));
        Instant runFrom = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant runTo = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        StringBuilder dim = new StringBuilder("CASE");
        StringBuilder value = new StringBuilder("CASE");
        StringBuilder groupingSets = new StringBuilder("GROUPING SETS ((app_id, day, hour)");
        for (String filter : FILTERS) {
            dim.append(" WHEN grouping(").append(filter).append(") = 0 THEN '").append(filter).append("'");
            value.append(" WHEN grouping(").append(filter).append(") = 0 THEN ").append(filter);
            groupingSets.append(", (app_id, day, hour, ").append(filter).append(")");
        }
        dim.append(" ELSE '' END");
        value.append(" ELSE '' END");
        groupingSets.append(")");
        DuckDbSessionCache.execute(c, new Sql().append(FORM.formatted(dim, value, sessionSums(dialect), groupingSets, EVENT_SUMS),
                appId, first, last, appId, runFrom, runTo));
        DuckDbOverviewFilters.formed(c, appId, first, last, dialect);
    }

    /** Whether {@link #totals} answers the query: at most one filter, and the cache holds the range's days and all before. */
    static boolean answers(EventQuery q, DuckDbSessionCache.Coverage coverage) {
        return coverage.sessions() && coverage.users() && q.filters().byColumn().size() <= 1;
    }

    /** Appends {@code WITH ... session_totals AS (...), event_totals AS (...)}; only where {@link #answers} holds. */
    static void totals(Sql into, EventQuery q, SqlDialect dialect) {
        Instant from = q.from();
        Instant to = q.to();
        // the whole hours [hoursFrom, hoursTo) come from overview_hours, the rest of the range from the rows
        DuckDbEventSessionHours.Hours whole = DuckDbEventSessionHours.Hours.within(from, to);
        // no whole hour: an empty run of hours at the end, the rest from the rows
        Instant hoursFrom = whole == null ? to : whole.from();
        Instant hoursTo = whole == null ? to : whole.to();
        Map.Entry<String, String> filter = q.filters().byColumn().entrySet().stream().findFirst().orElse(null);
        String dim = filter == null ? "" : filter.getKey();
        String value = filter == null ? "" : filter.getValue();
        // a bound value only where there is a filter: the parts below list it after each such condition
        Object[] valueIfAny = filter == null ? new Object[0] : new Object[] {value};
        String sessionFilter = filter == null ? "" : " AND " + sessionColumn(dim) + " = ?";
        String eventFilter = filter == null ? "" : " AND " + dim + " = ?";
        String app = q.appId();
        LocalDate firstDay = DuckDbSessionCache.firstDay(q);
        LocalDate lastDay = DuckDbSessionCache.lastDay(q);
        List<Object> p = new ArrayList<>(List.of(from, from, app, firstDay, lastDay, from, to));
        p.addAll(List.of(valueIfAny));
        p.addAll(List.of(app, dim, value, hoursFrom, hoursTo, app, firstDay, lastDay, from, hoursFrom));
        p.addAll(List.of(valueIfAny));
        p.addAll(List.of(app, firstDay, lastDay, hoursTo, to));
        p.addAll(List.of(valueIfAny));
        p.addAll(List.of(app, dim, value, hoursFrom, hoursTo, app, from, hoursFrom));
        p.addAll(List.of(valueIfAny));
        p.addAll(List.of(app, hoursTo, to));
        p.addAll(List.of(valueIfAny));
        into.append(TOTALS.formatted(prevColumn(filter == null ? null : dim), sessionSums(dialect), EVENT_SUMS, sessionFilter,
                eventFilter, SUMMED_SESSION_PARTS), p.toArray());
    }

    /** {@code user_prev}, or {@code user_prev_<filter>}: the previous session's start among those of the filter's value. */
    static String prevColumn(String filter) {
        return filter == null ? "user_prev" : "user_prev_" + filter;
    }

    /** The session's column a filter compares (a session's path is its entry page). */
    static String sessionColumn(String filter) {
        return filter.equals("path") ? "entry_page" : filter;
    }

    /** {@link #SESSION_SUMS} for the dialect (shared with {@link DuckDbOverviewFilters}). */
    static String sessionSums(SqlDialect dialect) {
        return SESSION_SUMS.formatted("(" + dialect.epochMillis("end_ts") + " - " + dialect.epochMillis("start_ts") + ")");
    }
}
