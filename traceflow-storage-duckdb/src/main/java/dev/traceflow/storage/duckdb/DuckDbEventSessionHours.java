package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.TimeBuckets;
import org.duckdb.DuckDBConnection;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Event metrics (events, page views, conversions, revenue) broken down by a session dimension from
 * per-UTC-hour sums ({@code event_session_hours}, {@code schema/V13__event_session_hours.sql})
 * instead of joining every event of the range to its cached session. The rows of a day are formed
 * with the day's sessions ({@link DuckDbSessionCache}, same versions, lock and transaction), each
 * event with the session it belongs to among those formed over the run's window, so a statement
 * whose {@link DuckDbSessionCache.Coverage#sessions()} holds for the range (and the day before it)
 * may read them: the sessions are then those the cached rows hold.
 *
 * <p><b>Which answers.</b> Hour, day, week and month buckets of a zone whose offset is a whole number
 * of hours over the range ({@link DuckDbActiveUserHours#wholeHourBuckets}), with any filters but
 * path (a row keeps the events' other filter columns), or with a path filter alone
 * ({@code event_session_path_hours}, {@code schema/V17__event_session_path_hours.sql}: per path and
 * value of one dimension at a time, without the other filter columns): the range's whole UTC hours
 * come from the rows, keyed by their hour (a whole hour lies in one bucket), and its partial first
 * and last hour from the events joined to the cached sessions, as before; per bucket and value the
 * parts add up. Minute buckets, a path filter with another filter, half-hour zones and ranges
 * without a whole hour join all events.
 */
final class DuckDbEventSessionHours {

    /** The session dimensions a row keeps, as {@link MetricDimension#wireName()} (also the session's columns). */
    private static final String DIMENSIONS = "browser, os, device_type, country, traffic_source";

    /**
     * The run's events, each with its session among {@code formed_sessions} (the window's, built by
     * {@link DuckDbSessionRun}) found as {@link DuckDbMetricQueries}' join finds the cached one: a
     * client session by its id, another by its user, spanning the event. The one join {@link #FORM}
     * and {@link #FORM_PATHS} share. {@code %s}: the session columns to keep. Parameters: the app,
     * the run's start and end.
     */
    private static final String EVENTS_WITH_SESSIONS = """
                FROM events e
                LEFT JOIN (
                    SELECT id, client, start_ts, end_ts, CASE WHEN client THEN id ELSE who END AS skey, %s
                    FROM formed_sessions
                ) f ON f.skey = coalesce(e.session_id, e.user_id, e.anonymous_id)
                     AND f.client = (e.session_id IS NOT NULL)
                     AND (f.client OR (e.ts >= f.start_ts AND e.ts <= f.end_ts))
                WHERE e.app_id = ? AND e.ts >= ? AND e.ts < ?""";

    /**
     * The run's events by hour with their sessions' values ({@link #EVENTS_WITH_SESSIONS}) and their
     * own filter columns. {@code %s}: the session's values, the join. Parameters: app twice, the
     * run's start and end.
     */
    private static final String FORM = """
            INSERT INTO event_session_hours
            SELECT ?, hour::DATE, hour, s_browser, s_os, s_device_type, s_country, s_traffic_source,
                   release, environment, browser, os, device_type, country,
                   count(*), count(*) FILTER (WHERE type = 'pageview'), count(*) FILTER (WHERE type IN ('conversion', 'purchase')),
                   coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0)
            FROM (
                SELECT date_trunc('hour', e.ts) AS hour, %s,
                       e.release, e.environment, e.browser, e.os, e.device_type, e.country, e.type, e.value
%s
            )
            GROUP BY hour, s_browser, s_os, s_device_type, s_country, s_traffic_source,
                     release, environment, browser, os, device_type, country
            ORDER BY hour""";

    /**
     * The run's events with a path by hour and path, each with its session ({@link #EVENTS_WITH_SESSIONS}), summed per value of each session dimension: in a grouping set one dimension is
     * grouped and the others are NULL, so coalesce gives the grouped one's value (NULL when that
     * is). {@code %s}: the session's values, the join. Parameters: app twice, the run's start and end.
     */
    private static final String FORM_PATHS = """
            INSERT INTO event_session_path_hours
            SELECT ?, hour::DATE, hour, path,
                   CASE WHEN grouping(s_browser) = 0 THEN 'browser' WHEN grouping(s_os) = 0 THEN 'os'
                        WHEN grouping(s_device_type) = 0 THEN 'device_type' WHEN grouping(s_country) = 0 THEN 'country'
                        ELSE 'traffic_source' END,
                   coalesce(s_browser, s_os, s_device_type, s_country, s_traffic_source),
                   count(*), count(*) FILTER (WHERE type = 'pageview'), count(*) FILTER (WHERE type IN ('conversion', 'purchase')),
                   coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0)
            FROM (
                SELECT date_trunc('hour', e.ts) AS hour, e.path, %s, e.type, e.value
%s AND e.path IS NOT NULL
            )
            GROUP BY GROUPING SETS ((hour, path, s_browser), (hour, path, s_os), (hour, path, s_device_type),
                                    (hour, path, s_country), (hour, path, s_traffic_source))
            ORDER BY hour""";

    /** The whole UTC hours {@code [from, to)} of a range that the rows answer. */
    record Hours(Instant from, Instant to) {

        /** The whole UTC hours within {@code [from, to)}, or null when it holds none. */
        static Hours within(Instant from, Instant to) {
            Instant first = from.truncatedTo(ChronoUnit.HOURS);
            if (first.isBefore(from)) {
                first = first.plus(Duration.ofHours(1));
            }
            Instant end = to.truncatedTo(ChronoUnit.HOURS);
            return first.isBefore(end) ? new Hours(first, end) : null;
        }
    }

    private DuckDbEventSessionHours() {
    }

    /**
     * Replaces the rows of the UTC days {@code first..last} with those of the events now, in
     * {@code c}'s transaction; called by {@link DuckDbSessionCache} for every run it forms, while
     * its {@code formed_sessions} holds the run's window.
     */
    static void form(DuckDBConnection c, String appId, LocalDate first, LocalDate last) throws SQLException {
        Instant runFrom = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant runTo = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (String table : List.of("event_session_hours", "event_session_path_hours")) {
            DuckDbSessionCache.execute(c, new Sql().append("DELETE FROM " + table + " WHERE app_id = ? AND day >= ? AND day <= ?",
                    appId, first, last));
        }
        StringBuilder sessionValues = new StringBuilder();
        for (String d : DIMENSIONS.split(", ")) {
            // an event of no session keeps its own value, as DuckDbMetricQueries' eventDimension does
            sessionValues.append(sessionValues.isEmpty() ? "" : ", ")
                    .append("CASE WHEN f.id IS NOT NULL THEN f.").append(d).append(" ELSE e.").append(d).append(" END AS s_").append(d);
        }
        String events = EVENTS_WITH_SESSIONS.formatted(DIMENSIONS);
        DuckDbSessionCache.execute(c, new Sql().append(FORM.formatted(sessionValues, events), appId, appId, runFrom, runTo));
        DuckDbSessionCache.execute(c, new Sql().append(FORM_PATHS.formatted(sessionValues, events), appId, appId, runFrom, runTo));
    }

    /**
     * The whole hours of {@code q}'s range that the rows answer, or null when the query must join
     * all its events: a path filter with another filter (the path rows keep no other filter
     * column), buckets that are not runs of whole UTC hours, no whole hour. Only for an event
     * metric by a session dimension whose cached sessions cover the range.
     */
    static Hours hours(EventQuery q) {
        if ((q.filters().path() != null && q.filters().byColumn().size() > 1) || !DuckDbActiveUserHours.wholeHourBuckets(q)) {
            return null;
        }
        return Hours.within(q.from(), q.to());
    }

    /**
     * Opens {@code cells} over the whole hours' {@link #select} and, after {@code UNION ALL}, the
     * edge hours' {@code SELECT k, d, num} that the caller appends from {@link #edgeEvents}, then
     * closes with {@code ) GROUP BY k, d}: a cell's parts add up.
     */
    static void hourCells(Sql into, EventQuery q, SqlDialect dialect, Instant keysFrom, Metric metric,
                          MetricDimension dimension, Hours hours) {
        String sum = metric == Metric.REVENUE ? "sum(num)" : "sum(num)::BIGINT";
        into.append("SELECT k, d, " + sum + " AS num, 0 AS den, " + sum + " AS w FROM (\n");
        select(into, q, dialect, keysFrom, metric, dimension, hours);
        into.append("    UNION ALL\n");
    }

    /** Appends the edge hours' events as {@code e}: each range scanned on its own, so the whole hours are skipped. */
    static void edgeEvents(Sql into, EventQuery q, Hours hours) {
        into.append("(SELECT * FROM events WHERE app_id = ? AND ts >= ? AND ts < ?\n"
                + "          UNION ALL SELECT * FROM events WHERE app_id = ? AND ts >= ? AND ts < ?) e\n",
                q.appId(), q.from(), hours.from(), q.appId(), hours.to(), q.to());
    }

    /**
     * Appends {@code SELECT k, d, num} of the whole hours: the bucket key of each row's hour, the
     * session's value of {@code dimension}, the metric's sum; only rows with events the metric
     * counts, so that no cell appears that the events would not make.
     */
    private static void select(Sql into, EventQuery q, SqlDialect dialect, Instant keysFrom, Metric metric, MetricDimension dimension,
                       Hours hours) {
        TimeBuckets buckets = q.buckets();
        String column = switch (metric) {
            case EVENTS -> "events";
            case PAGE_VIEWS -> "page_views";
            case CONVERSIONS -> "conversions";
            case REVENUE -> "revenue";
            default -> throw new IllegalArgumentException("not an event metric: " + metric);
        };
        String counted = metric == Metric.REVENUE ? "conversions" : column;
        String key = dialect.bucketKey("hour", buckets, keysFrom, q.to());
        String path = q.filters().path();
        if (path != null) {
            // hours() let a path filter through only alone
            into.append("    SELECT " + key + " AS k, " + DuckDbMetricQueries.none("dim_value") + " AS d, sum(" + column + ") AS num\n"
                    + "    FROM event_session_path_hours\n"
                    + "    WHERE app_id = ? AND path = ? AND dim = ? AND hour >= ? AND hour < ? AND " + counted + " > 0\n"
                    + "    GROUP BY ALL\n", q.appId(), path, dimension.wireName(), hours.from(), hours.to());
            return;
        }
        into.append("    SELECT " + key + " AS k, "
                + DuckDbMetricQueries.none("s_" + dimension.wireName()) + " AS d, sum(" + column + ") AS num\n"
                + "    FROM event_session_hours\n    WHERE app_id = ? AND hour >= ? AND hour < ? AND " + counted + " > 0",
                q.appId(), hours.from(), hours.to());
        // the rows keep the filtered columns under the events' names
        into.eventFilters("", q).append("\n    GROUP BY ALL\n");
    }
}
