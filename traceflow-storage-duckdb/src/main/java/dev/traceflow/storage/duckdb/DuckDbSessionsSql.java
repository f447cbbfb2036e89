package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * Sessions in SQL, the same as {@link Sessionizer} computes them in Java (its Javadoc has the
 * rules): a {@code WITH} clause that session queries start from. {@link #with} defines only
 * {@code sessions}, read from {@link DuckDbSessionCache} when it holds the range's days;
 * {@link #withEvents} forms them from the events and defines
 *
 * <ul>
 *   <li>{@code session_events}: the app's events from the horizon before the range to the horizon
 *       after it, each with {@code sid} (its session's id, NULL for an event of no session) and
 *       {@code seq} (storage order, to break ties of equal times);</li>
 *   <li>{@code sessions}: one row per session that starts in the range and whose dimensions match
 *       the query's filters, with the columns {@link #SESSION_COLUMNS} lists.</li>
 * </ul>
 */
final class DuckDbSessionsSql {

    /** The columns of {@code sessions}, in the order {@link #summary} reads them. */
    static final String SESSION_COLUMNS = "id, who, user_id, start_ts, end_ts, page_views, events, conversions, revenue, "
            + "entry_page, exit_page, browser, os, device_type, country, traffic_source, release, environment";

    private static final String EVENTS_IN_WINDOW = """
            WITH ev AS (
                SELECT rowid AS seq, ts, type, session_id, user_id, anonymous_id, path, value,
                       browser, os, device_type, country, traffic_source, release, environment
                FROM events
                WHERE\s""";

    /**
     * The rest of the clause up to {@code identified}, every session formed from the window's
     * events ({@code skey}, then {@code id}, {@code who} and the columns of {@link #SESSION_COLUMNS});
     * {@code %s} is the computed id.
     */
    private static final String FORM = """

            ),
            by_user AS (
                SELECT *, coalesce(user_id, anonymous_id) AS who,
                       CASE WHEN ts - lag(ts) OVER w <= INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS opens
                FROM ev
                WHERE session_id IS NULL AND coalesce(user_id, anonymous_id) IS NOT NULL
                WINDOW w AS (PARTITION BY coalesce(user_id, anonymous_id) ORDER BY ts, type, seq)
            ),
            numbered AS (
                SELECT *, sum(opens) OVER (PARTITION BY who ORDER BY ts, type, seq ROWS UNBOUNDED PRECEDING) AS n
                FROM by_user
            ),
            keyed AS (
                SELECT 'c:' || session_id AS skey, NULL::VARCHAR AS who, * EXCLUDE (session_id)
                FROM ev WHERE session_id IS NOT NULL
                UNION ALL BY NAME
                SELECT 'u:' || n || ':' || who AS skey, who, * EXCLUDE (session_id, who, opens, n)
                FROM numbered
            ),
            -- "the value of the first (last) event" as the min (max) of a struct that starts with
            -- (ts, type, seq): that is unique, so the struct's order is the events' order and the rest
            -- comes from that one row. Measured about 5x faster than first(x ORDER BY ts, seq),
            -- which sorts every group once per aggregate. Events of one time are taken in type
            -- order, then storage order (Sessionizer's rule): compaction rewrites a range one type
            -- after the other, so storage order holds only within a type.
            aggregated AS (
                SELECT skey,
                       any_value(who) AS who,
                       min(ts) AS start_ts,
                       max(ts) AS end_ts,
                       count(*) AS events,
                       count(*) FILTER (WHERE type = 'pageview') AS page_views,
                       count(*) FILTER (WHERE type IN ('conversion', 'purchase')) AS conversions,
                       coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0) AS revenue,
                       min(struct_pack(ts := ts, t := type, seq := seq, path := path)) FILTER (WHERE type = 'pageview') AS first_view,
                       max(struct_pack(ts := ts, t := type, seq := seq, path := path)) FILTER (WHERE type = 'pageview') AS last_view,
                       min(struct_pack(ts := ts, t := type, seq := seq, v := user_id)) FILTER (WHERE user_id IS NOT NULL) AS first_user,
                       min(struct_pack(ts := ts, t := type, seq := seq, v := anonymous_id)) FILTER (WHERE anonymous_id IS NOT NULL) AS first_anonymous,
                       min(struct_pack(ts := ts, t := type, seq := seq, browser := browser, os := os, device_type := device_type,
                                       country := country, traffic_source := traffic_source, release := release,
                                       environment := environment)) AS first_event
                FROM keyed
                GROUP BY skey
            ),
            grouped AS (
                SELECT skey, who, start_ts, end_ts, events, page_views, conversions, revenue,
                       first_view.path AS entry_page,
                       last_view.path AS exit_page,
                       first_user.v AS user_id,
                       first_anonymous.v AS anonymous_id,
                       first_event.browser AS browser,
                       first_event.os AS os,
                       first_event.device_type AS device_type,
                       first_event.country AS country,
                       first_event.traffic_source AS traffic_source,
                       first_event.release AS release,
                       first_event.environment AS environment
                FROM aggregated
            ),
            identified AS (
                SELECT CASE WHEN starts_with(skey, 'c:') THEN substr(skey, 3) ELSE '~' || %s END AS id,
                       CASE WHEN starts_with(skey, 'c:') THEN coalesce(user_id, anonymous_id, substr(skey, 3))
                            ELSE who END AS who,
                       * EXCLUDE (who)
                FROM grouped
            )""";

    /** After {@link #FORM}, up to the filter of {@code sessions}; {@code %s} is {@link #SESSION_COLUMNS}. */
    private static final String LIVE = """
            ,
            session_events AS (
                SELECT k.*, i.id AS sid FROM keyed k JOIN identified i USING (skey)
            ),
            sessions AS (
                SELECT %s
                FROM identified
                WHERE\s""";

    /** {@code sessions} read from {@link DuckDbSessionCache}'s table (parameters: app, days, range). */
    private static final String CACHED = """
            WITH sessions AS (
                SELECT %s
                FROM session_cache
                WHERE app_id = ? AND day >= ? AND day <= ? AND start_ts >= ? AND start_ts < ?""";

    private DuckDbSessionsSql() {
    }

    /**
     * Appends a {@code WITH} clause that defines {@code sessions} for the query's app, range and
     * filters; the caller appends the {@code SELECT} (or more CTEs after a comma). The sessions
     * come from {@link DuckDbSessionCache} when it holds the range's days, else they are formed
     * from the events as {@link #withEvents} does: the same rows either way.
     */
    static Sql with(EventQuery q, SqlDialect dialect, Sql sql) {
        return sql.defer(DuckDbSessionCache.Need.sessions(q), (into, coverage) -> with(q, dialect, into, coverage));
    }

    /** As {@link #with(EventQuery, SqlDialect, Sql)}, written for a known coverage (inside a caller's deferred part). */
    static Sql with(EventQuery q, SqlDialect dialect, Sql into, DuckDbSessionCache.Coverage coverage) {
        return coverage.sessions() ? withCached(q, into, "") : withEvents(q, dialect, into);
    }

    /**
     * Appends the {@code WITH} clause that reads the query's {@code sessions} from the cache, with
     * {@code extraColumns} (", client" or the like: columns only the cache has) after
     * {@link #SESSION_COLUMNS}; only for a statement whose {@link DuckDbSessionCache.Coverage#sessions()}
     * holds.
     */
    static Sql withCached(EventQuery q, Sql into, String extraColumns) {
        into.append(CACHED.formatted(SESSION_COLUMNS + extraColumns), q.appId(), DuckDbSessionCache.firstDay(q),
                DuckDbSessionCache.lastDay(q), q.from(), q.to());
        filters(q, into);
        return into.append("\n)\n");
    }

    /**
     * Appends the {@code WITH} clause that forms the query's sessions from the events; besides
     * {@code sessions} it defines {@code session_events} and {@code identified} (every session of
     * the window, unfiltered), which only this form has.
     */
    static Sql withEvents(EventQuery q, SqlDialect dialect, Sql sql) {
        return withEvents(q, dialect, sql, "");
    }

    /**
     * As {@link #withEvents(EventQuery, SqlDialect, Sql)}, with the window's events narrowed further by
     * {@code AND eventCondition} (on the table's columns, with its bound values). Only for a
     * condition that keeps every event of the sessions the caller will read (for example all events
     * of one client {@code session_id}): a session missing some of its events would be formed wrong.
     */
    static Sql withEvents(EventQuery q, SqlDialect dialect, Sql sql, String eventCondition, Object... values) {
        form(sql, dialect, q.appId(), q.from().minus(Sessionizer.HORIZON), q.to().plus(Sessionizer.HORIZON),
                eventCondition, values);
        sql.append(LIVE.formatted(SESSION_COLUMNS));
        sql.append("start_ts >= ? AND start_ts < ?", q.from(), q.to());
        filters(q, sql);
        return sql.append("\n)\n");
    }

    /**
     * Appends {@code WITH ev AS (...), ..., identified AS (...)}: every session formed from the
     * app's events in {@code [windowFrom, windowTo)}, narrowed by {@code eventCondition} when not empty.
     */
    static Sql form(Sql sql, SqlDialect dialect, String appId, Instant windowFrom, Instant windowTo,
                    String eventCondition, Object... values) {
        sql.append(EVENTS_IN_WINDOW);
        sql.appAndRange("", appId, windowFrom, windowTo);
        if (!eventCondition.isEmpty()) {
            sql.append(" AND " + eventCondition, values);
        }
        String computedId = dialect.md5Prefix16("who || '|' || " + dialect.epochMillis("start_ts"));
        return sql.append(FORM.formatted(computedId));
    }

    /** {@code AND column = ?} for every asked filter, on a session's columns ({@code path}: its entry page). */
    static void filters(EventQuery q, Sql sql) {
        for (Map.Entry<String, String> f : q.filters().byColumn().entrySet()) {
            // a session's path is its entry page
            String column = f.getKey().equals("path") ? "entry_page" : f.getKey();
            sql.append(" AND " + column + " = ?", f.getValue());
        }
    }

    /** Reads a row of {@link #SESSION_COLUMNS} starting at column {@code first}. */
    static SessionSummary summary(ResultSet rs, int first) throws SQLException {
        int c = first;
        return new SessionSummary(rs.getString(c), rs.getString(c + 1), rs.getString(c + 2),
                DuckDbReads.instant(rs, c + 3).toEpochMilli(), DuckDbReads.instant(rs, c + 4).toEpochMilli(),
                rs.getLong(c + 5), rs.getLong(c + 6), rs.getLong(c + 7), rs.getDouble(c + 8),
                rs.getString(c + 9), rs.getString(c + 10), rs.getString(c + 11), rs.getString(c + 12),
                rs.getString(c + 13), rs.getString(c + 14), rs.getString(c + 15), rs.getString(c + 16),
                rs.getString(c + 17));
    }
}
