package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.MetricDimension;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.query.TimeBuckets;
import dev.traceflow.core.storage.MetricQueries;
import dev.traceflow.core.storage.MetricsOverview;

import java.time.Instant;
import java.util.List;

/**
 * {@link MetricQueries} in DuckDB SQL: session metrics on {@link DuckDbSessionsSql}'s
 * {@code sessions} (from {@link DuckDbSessionCache} when it can), event metrics on the events table
 * (joined to their sessions, formed from the events, for the session dimensions), new and
 * returning users against each user's first session start (the cached row's {@code user_first}
 * when the cache holds the app's whole history, else {@link #FIRST_SEEN}); visitors, new and
 * returning users that match one session column at most count cached rows ({@link DuckDbUserCells}).
 */
final class DuckDbMetricQueries implements MetricQueries {

    /**
     * Each user's first session start over the app's whole history before a bound, without forming
     * the sessions: a user's sessions without {@code sessionId} start at their events, so the
     * earliest is the user's earliest such event; a client session starts at its earliest event
     * and belongs to its first userId, else first anonymousId, else its id (as in
     * {@link Sessionizer}). Parameters: app, bound, app, bound.
     */
    private static final String FIRST_SEEN = """
            , first_seen AS (
                SELECT who, min(start_ts) AS first_start
                FROM (
                    SELECT coalesce(user_id, anonymous_id) AS who, min(ts) AS start_ts
                    FROM events
                    WHERE app_id = ? AND ts < ? AND session_id IS NULL AND coalesce(user_id, anonymous_id) IS NOT NULL
                    GROUP BY 1
                    UNION ALL
                    SELECT coalesce(first(user_id ORDER BY ts, type, rowid) FILTER (WHERE user_id IS NOT NULL),
                                    first(anonymous_id ORDER BY ts, type, rowid) FILTER (WHERE anonymous_id IS NOT NULL),
                                    session_id) AS who,
                           min(ts) AS start_ts
                    FROM events
                    WHERE app_id = ? AND ts < ? AND session_id IS NOT NULL
                    GROUP BY session_id
                )
                GROUP BY who
            )
            """;

    /** {@link #FIRST_SEEN} from {@link DuckDbSessionCache}'s rows. Parameters: app, last day. */
    private static final String FIRST_SEEN_CACHED = """
            , first_seen AS (
                SELECT who, min(start_ts) AS first_start
                FROM session_cache
                WHERE app_id = ? AND day <= ?
                GROUP BY who
            )
            """;

    /**
     * The cached sessions of {@link #eventSessionsNeed}'s days that can hold an event the metric
     * counts: within the range (a session holds its events between its start and end) and, by the
     * second {@code %s}, {@link #sessionsHolding}; the join builds its hash table from these rows.
     * The dimension is {@code d} (the first {@code %s}: a column, not request input), the key an
     * event finds its session by {@code skey}: a client session's id, or the user of a session
     * formed without one. Parameters: app, first and last day, the range's start and end; the
     * caller may narrow the rows further, then closes the CTE.
     */
    private static final String CACHED_EVENT_SESSIONS = """
            WITH event_sessions AS (
                SELECT id, client, start_ts, end_ts, CASE WHEN client THEN id ELSE who END AS skey, %s AS d
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ? AND end_ts >= ? AND start_ts < ?%s""";

    /**
     * An event's cached session, in one hash join: an event with a {@code session_id} finds the
     * client session of that id; one without, the session formed for its user that spans its time.
     * The same matches as one join per kind of session (an event is of one kind only), with one
     * hash table and one probe of the events instead of two.
     */
    private static final String JOIN_CACHED_EVENT_SESSIONS = """
                LEFT JOIN event_sessions es ON es.skey = coalesce(e.session_id, e.user_id, e.anonymous_id)
                     AND es.client = (e.session_id IS NOT NULL)
                     AND (es.client OR (e.ts >= es.start_ts AND e.ts <= es.end_ts))
            """;

    private static final String CONVERSION_TYPES = "('conversion', 'purchase')";

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbMetricQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    @Override
    public List<SeriesPoint> series(EventQuery q, Metric metric, MetricDimension dimension, int limit) {
        if (!metric.supports(dimension)) {
            throw new IllegalArgumentException("metric " + metric.wireName() + " cannot be broken down by " + dimension.wireName());
        }
        TimeBuckets buckets = q.buckets();
        // the first bucket may start before the range; keys of first sessions in it must be right too
        Instant keysFrom = buckets.starts().getFirst();
        Sql sql = new Sql();
        if (metric.sessionMetric()) {
            sessionCells(sql, q, buckets, keysFrom, metric, dimension);
        } else {
            eventCells(sql, q, buckets, keysFrom, metric, dimension);
        }
        DuckDbSeriesCells.select(sql, dimension != null, limit);
        return DuckDbSeriesCells.read(reads, sql, buckets, dimension != null, metric::value);
    }

    private void sessionCells(Sql sql, EventQuery q, TimeBuckets buckets, Instant keysFrom, Metric metric,
                              MetricDimension dimension) {
        boolean users = metric == Metric.NEW_USERS || metric == Metric.RETURNING_USERS;
        // which previous-session column (schema V11) makes the users a count of rows, if one does
        String previous = DuckDbUserCells.previousColumn(q, buckets, keysFrom, metric, dimension);
        DuckDbSessionCache.Need need = users ? DuckDbSessionCache.Need.users(q) : DuckDbSessionCache.Need.sessions(q);
        sql.defer(need, (into, coverage) -> {
            if (previous != null && DuckDbUserCells.answers(metric, coverage)) {
                DuckDbUserCells.cells(into, q, dialect, buckets, keysFrom, metric, dimension, previous);
                return;
            }
            if (users) {
                sessionsWithFirstStart(into, q, coverage);
            } else {
                DuckDbSessionsSql.with(q, dialect, into, coverage);
            }
            groupedCells(into, q, buckets, keysFrom, metric, dimension);
        });
        // a ratio's dimension values rank by their sessions with page views, the others by the value
        sql.append(", cells AS (SELECT *, " + (metric.ratio() ? "den" : "num") + " AS w FROM session_cells)");
    }

    /** {@code , session_cells AS (...)} grouped over {@code sessions} (and for new and returning users {@code user_sessions}). */
    private void groupedCells(Sql sql, EventQuery q, TimeBuckets buckets, Instant keysFrom, Metric metric,
                              MetricDimension dimension) {
        boolean users = metric == Metric.NEW_USERS || metric == Metric.RETURNING_USERS;
        String key = dialect.bucketKey("s.start_ts", buckets, keysFrom, q.to());
        String viewed = "s.page_views >= 1";
        String numerator;
        String denominator = "0";
        switch (metric) {
            case SESSIONS -> numerator = "count(*)";
            case ENGAGED_SESSIONS -> numerator = "count(*) FILTER (WHERE " + engaged("s.") + ")";
            case BOUNCE_RATE -> {
                numerator = "count(*) FILTER (WHERE s.page_views = 1 AND s.conversions = 0)";
                denominator = "count(*) FILTER (WHERE " + viewed + ")";
            }
            case AVG_SESSION_DURATION -> {
                numerator = "coalesce(sum(" + durationMillis("s.") + ") FILTER (WHERE " + viewed + "), 0)";
                denominator = "count(*) FILTER (WHERE " + viewed + ")";
            }
            case PAGES_PER_SESSION -> {
                numerator = "coalesce(sum(s.page_views) FILTER (WHERE " + viewed + "), 0)";
                denominator = "count(*) FILTER (WHERE " + viewed + ")";
            }
            case VISITORS -> numerator = "count(DISTINCT s.who)";
            case NEW_USERS, RETURNING_USERS -> numerator = "count(x)";
            default -> throw new IllegalArgumentException("not a session metric: " + metric);
        }
        if (users) {
            // the users counted in a cell, then per cell how many: count(DISTINCT who) FILTER
            // (WHERE ...) grouped every session by its user; here the sessions of the users not
            // counted fall into one group per cell (x NULL), which keeps the cell with 0
            String isNew = "(s.first_start IS NULL OR (s.first_start >= ? AND "
                    + dialect.bucketKey("s.first_start", buckets, keysFrom, q.to()) + " = " + key + "))";
            sql.append(", session_cells AS (\n    SELECT k, d, count(x) AS num, 0 AS den FROM (\n        SELECT " + key
                    + " AS k, " + sessionDimension(dimension) + " AS d, CASE WHEN "
                    + (metric == Metric.NEW_USERS ? "" : "NOT ") + isNew + " THEN s.who END AS x", keysFrom);
            sql.append("\n        FROM user_sessions s\n        GROUP BY ALL\n    )\n    GROUP BY ALL\n)");
        } else {
            sql.append(", session_cells AS (\n    SELECT " + key + " AS k, " + sessionDimension(dimension) + " AS d, "
                    + numerator + " AS num, " + denominator + " AS den\n    FROM sessions s\n    GROUP BY ALL\n)");
        }
    }

    private void eventCells(Sql sql, EventQuery q, TimeBuckets buckets, Instant keysFrom, Metric metric,
                            MetricDimension dimension) {
        if (dimension != null && dimension.fromSession()) {
            // the statement depends on what the cache holds: written when it runs
            sql.defer(eventSessionsNeed(q), (into, coverage) ->
                    eventCells(into, q, buckets, keysFrom, metric, dimension, coverage.sessions()));
        } else {
            eventCells(sql, q, buckets, keysFrom, metric, dimension, false);
        }
    }

    /**
     * The cached days that hold every session an event of the range can belong to: a session
     * shorter than the horizon that holds an event of the range starts at most a day before it
     * (longer ones make their days unsafe, and the range is then answered from the events).
     */
    private static DuckDbSessionCache.Need eventSessionsNeed(EventQuery q) {
        DuckDbSessionCache.Need range = DuckDbSessionCache.Need.sessions(q);
        return new DuckDbSessionCache.Need(q.appId(), range.first().minusDays(1), range.last(), false);
    }

    /**
     * Event cells; by a session dimension, each event takes its session's value (an event of no
     * session keeps its own), its session found among {@code cached} sessions (see
     * {@link #CACHED_EVENT_SESSIONS}) or formed from the events.
     */
    private void eventCells(Sql sql, EventQuery q, TimeBuckets buckets, Instant keysFrom, Metric metric,
                            MetricDimension dimension, boolean cached) {
        boolean joinSessions = dimension != null && dimension.fromSession();
        // with the cache, the whole hours' cells are read from their sums, the edge hours' joined
        DuckDbEventSessionHours.Hours hours = joinSessions && cached ? DuckDbEventSessionHours.hours(q) : null;
        if (joinSessions && cached) {
            DuckDbSessionCache.Need need = eventSessionsNeed(q);
            sql.append(CACHED_EVENT_SESSIONS.formatted(dimension.wireName(), sessionsHolding(metric)), q.appId(),
                    need.first(), need.last(), q.from(), q.to());
            if (hours != null) {
                // only the sessions that can hold an event of an edge hour
                sql.append(" AND (start_ts < ? OR end_ts >= ?)", hours.from(), hours.to());
            }
            sql.append("\n),\n");
        } else if (joinSessions) {
            // session_events and identified exist only in sessions formed from the events
            DuckDbSessionsSql.withEvents(q, dialect, sql);
            sql.append(", ");
        } else {
            sql.append("WITH ");
        }
        String numerator = metric == Metric.REVENUE ? "coalesce(sum(e.value), 0)" : "count(*)";
        sql.append("cells AS (\n");
        if (hours != null) {
            DuckDbEventSessionHours.hourCells(sql, q, dialect, keysFrom, metric, dimension, hours);
        }
        sql.append("    SELECT " + dialect.bucketKey("e.ts", buckets, keysFrom, q.to()) + " AS k, "
                + eventDimension(dimension, cached) + " AS d, " + numerator + " AS num"
                + (hours == null ? ", 0 AS den, " + numerator + " AS w\n    FROM events e\n" : "\n    FROM "));
        if (hours != null) {
            DuckDbEventSessionHours.edgeEvents(sql, q, hours);
        }
        if (joinSessions && cached) {
            sql.append(JOIN_CACHED_EVENT_SESSIONS);
        } else if (joinSessions) {
            // identified: every session of the window, unfiltered (an event's session may start before the range)
            sql.append("    LEFT JOIN session_events se ON se.seq = e.rowid\n"
                    + "    LEFT JOIN identified i ON i.skey = se.skey\n");
        }
        sql.append("    WHERE ").appAndRange("e.", q);
        switch (metric) {
            case PAGE_VIEWS -> sql.append(" AND e.type = 'pageview'");
            case CONVERSIONS, REVENUE -> sql.append(" AND e.type IN " + CONVERSION_TYPES);
            case EVENTS -> {
            }
            default -> throw new IllegalArgumentException("not an event metric: " + metric);
        }
        sql.eventFilters("e.", q);
        sql.append("\n    GROUP BY ALL\n" + (hours == null ? "" : ")\nGROUP BY k, d\n") + ")");
    }

    /** {@code AND ...} true for every cached session holding an event of the metric's types (see {@link #eventCells}). */
    private static String sessionsHolding(Metric metric) {
        return switch (metric) {
            case CONVERSIONS, REVENUE -> " AND conversions > 0";
            case PAGE_VIEWS -> " AND page_views > 0";
            default -> "";
        };
    }

    /** A cached or formed session's value of {@code d} as cells name it (alias {@code s}; NULL::VARCHAR without a dimension). */
    static String sessionDimension(MetricDimension d) {
        if (d == null) {
            return "NULL::VARCHAR";
        }
        String column = switch (d) {
            case PATH -> "s.entry_page";
            case DEVICE_TYPE -> "s.device_type";
            case TRAFFIC_SOURCE -> "s.traffic_source";
            case BROWSER -> "s.browser";
            case OS -> "s.os";
            case COUNTRY -> "s.country";
            default -> throw new IllegalArgumentException("not a session dimension: " + d);
        };
        return none(column);
    }

    private static String eventDimension(MetricDimension d, boolean cached) {
        if (d == null) {
            return "NULL::VARCHAR";
        }
        if (d.fromSession()) {
            String column = d.wireName();
            // an event of no session keeps its own value
            return none(cached
                    ? "CASE WHEN es.id IS NOT NULL THEN es.d ELSE e." + column + " END"
                    : "CASE WHEN se.skey IS NULL THEN e." + column + " ELSE i." + column + " END");
        }
        return none(switch (d) {
            case PATH -> "e.path";
            case EVENT_TYPE -> "e.type";
            case CONVERSION_TYPE -> "e.kind";
            default -> throw new IllegalArgumentException("not an event dimension: " + d);
        });
    }

    /** The expression, or {@link MetricDimension#NONE} when it is NULL. */
    static String none(String expr) {
        // a constant of ours, not request input
        return "coalesce(" + expr + ", '" + MetricDimension.NONE + "')";
    }

    private String durationMillis(String alias) {
        return "(" + dialect.epochMillis(alias + "end_ts") + " - " + dialect.epochMillis(alias + "start_ts") + ")";
    }

    private String engaged(String alias) {
        return "(" + durationMillis(alias) + " >= 10000 OR " + alias + "page_views >= 2 OR " + alias + "conversions > 0)";
    }

    /**
     * Appends {@code sessions} and {@code user_sessions}: the query's sessions, each with its
     * user's first session start ever ({@code first_start}, NULL for a session without a user).
     * When the cache holds every day of the app up to the range's last, that start is the cached
     * row's own {@code user_first} (schema V10, kept by {@link DuckDbSessionCache}); else the
     * sessions are joined to {@code first_seen}: a GROUP BY over the cached rows when they hold the
     * days, else {@link #FIRST_SEEN} over the events. All give each user's first session start;
     * sessions starting after the range cannot change the answer (a user with a session in the
     * range first started at or before it). {@code coverage}: the statement's, for {@link DuckDbSessionCache.Need#users}.
     */
    private void sessionsWithFirstStart(Sql into, EventQuery q, DuckDbSessionCache.Coverage coverage) {
        if (coverage.sessions() && coverage.users()) {
            DuckDbSessionsSql.withCached(q, into, ", user_first AS first_start");
            into.append(", user_sessions AS (SELECT * FROM sessions)\n");
            return;
        }
        sessionsAndFirstSeen(into, q, coverage);
        into.append(", user_sessions AS (SELECT s.*, f.first_start FROM sessions s LEFT JOIN first_seen f ON f.who = s.who)\n");
    }

    /**
     * {@code WITH sessions ..., first_seen ...}: the query's sessions (cached or formed from the
     * events) and each user's first session start (from the cached rows or {@link #FIRST_SEEN}),
     * as the coverage allows.
     */
    private void sessionsAndFirstSeen(Sql into, EventQuery q, DuckDbSessionCache.Coverage coverage) {
        if (coverage.sessions()) {
            DuckDbSessionsSql.withCached(q, into, "");
        } else {
            DuckDbSessionsSql.withEvents(q, dialect, into);
        }
        if (coverage.users()) {
            into.append(FIRST_SEEN_CACHED, q.appId(), DuckDbSessionCache.lastDay(q));
        } else {
            Instant bound = q.to().plus(Sessionizer.HORIZON);
            into.append(FIRST_SEEN, q.appId(), bound, q.appId(), bound);
        }
    }

    @Override
    public MetricsOverview overview(EventQuery q) {
        Sql sql = new Sql().defer(DuckDbSessionCache.Need.users(q), (into, coverage) -> {
            if (DuckDbOverviewHours.answers(q, coverage)) {
                DuckDbOverviewHours.totals(into, q, dialect);
                return;
            }
            if (coverage.sessions() && coverage.users()) {
                DuckDbOverviewFilters.totals(into, q, dialect);
                return;
            }
            sessionTotals(into, q, coverage);
            DuckDbOverviewFilters.eventTotals(into, q);
        });
        sql.append("SELECT * FROM session_totals, event_totals");
        return reads.one(sql, rs -> {
            long visitors = rs.getLong(1);
            long viewedSessions = rs.getLong(4);
            long newUsers = rs.getLong(8);
            return new MetricsOverview(visitors, rs.getLong(2), rs.getLong(9),
                    Metric.BOUNCE_RATE.value(rs.getLong(5), viewedSessions),
                    Metric.AVG_SESSION_DURATION.value(rs.getDouble(6), viewedSessions),
                    Metric.PAGES_PER_SESSION.value(rs.getDouble(7), viewedSessions),
                    rs.getLong(3), newUsers, visitors - newUsers, rs.getLong(10), rs.getDouble(11));
        });
    }

    /**
     * {@code WITH sessions ..., first_seen ..., session_totals AS (...),} from the cache or the events, as the coverage allows:
     * for a range the cache does not hold with all days before it (else {@link DuckDbOverviewHours} or {@link DuckDbOverviewFilters}).
     */
    private void sessionTotals(Sql into, EventQuery q, DuckDbSessionCache.Coverage coverage) {
        sessionsAndFirstSeen(into, q, coverage);
        String viewed = "s.page_views >= 1";
        into.append("""
                , session_totals AS (
                    SELECT count(DISTINCT s.who) AS visitors,
                           count(*) AS sessions,
                           count(*) FILTER (WHERE %s) AS engaged,
                           count(*) FILTER (WHERE %s) AS viewed,
                           count(*) FILTER (WHERE s.page_views = 1 AND s.conversions = 0) AS bounced,
                           coalesce(sum(%s) FILTER (WHERE %s), 0) AS duration_ms,
                           coalesce(sum(s.page_views) FILTER (WHERE %s), 0) AS views,
                           count(DISTINCT s.who) FILTER (WHERE f.first_start IS NULL OR f.first_start >= ?) AS new_users
                    FROM sessions s LEFT JOIN first_seen f ON f.who = s.who
                ),
                """.formatted(engaged("s."), viewed, durationMillis("s."), viewed, viewed), q.from());
    }
}
