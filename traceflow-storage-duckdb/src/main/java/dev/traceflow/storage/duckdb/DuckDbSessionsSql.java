package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Sessions in SQL, the same as {@link Sessionizer} computes them in Java (its Javadoc has the
 * rules): a {@code WITH} clause that session queries start from. It defines
 *
 * <ul>
 *   <li>{@code session_events}: the app's events from the horizon before the range to the horizon
 *       after it, each with {@code sid} (its session's id, NULL for an event of no session) and
 *       {@code seq} (storage order, to break ties of equal times);</li>
 *   <li>{@code sessions}: one row per session that starts in the range and whose dimensions match
 *       the query's filters, with the columns {@link #SESSION_COLUMNS} lists;</li>
 *   <li>{@code identified}: every session of the window, unfiltered, keyed by {@code skey} (as
 *       {@code session_events} is), with the same columns: what an event's own session is looked up
 *       in when it may have started before the range (metrics by a session dimension).</li>
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

    /** The rest of the clause up to the filter of {@code sessions}; {@code %s} is the computed id. */
    private static final String SESSIONISE = """

            ),
            by_user AS (
                SELECT *, coalesce(user_id, anonymous_id) AS who,
                       CASE WHEN ts - lag(ts) OVER w <= INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS opens
                FROM ev
                WHERE session_id IS NULL AND coalesce(user_id, anonymous_id) IS NOT NULL
                WINDOW w AS (PARTITION BY coalesce(user_id, anonymous_id) ORDER BY ts, seq)
            ),
            numbered AS (
                SELECT *, sum(opens) OVER (PARTITION BY who ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS n
                FROM by_user
            ),
            keyed AS (
                SELECT 'c:' || session_id AS skey, NULL::VARCHAR AS who, * EXCLUDE (session_id)
                FROM ev WHERE session_id IS NOT NULL
                UNION ALL BY NAME
                SELECT 'u:' || n || ':' || who AS skey, who, * EXCLUDE (session_id, who, opens, n)
                FROM numbered
            ),
            grouped AS (
                SELECT skey,
                       any_value(who) AS who,
                       min(ts) AS start_ts,
                       max(ts) AS end_ts,
                       count(*) AS events,
                       count(*) FILTER (WHERE type = 'pageview') AS page_views,
                       count(*) FILTER (WHERE type IN ('conversion', 'purchase')) AS conversions,
                       coalesce(sum(value) FILTER (WHERE type IN ('conversion', 'purchase')), 0) AS revenue,
                       arg_min_null(path, ord) FILTER (WHERE type = 'pageview') AS entry_page,
                       arg_max_null(path, ord) FILTER (WHERE type = 'pageview') AS exit_page,
                       arg_min(user_id, ord) AS user_id,
                       arg_min(anonymous_id, ord) AS anonymous_id,
                       arg_min_null(browser, ord) AS browser,
                       arg_min_null(os, ord) AS os,
                       arg_min_null(device_type, ord) AS device_type,
                       arg_min_null(country, ord) AS country,
                       arg_min_null(traffic_source, ord) AS traffic_source,
                       arg_min_null(release, ord) AS release,
                       arg_min_null(environment, ord) AS environment
                FROM (SELECT *, epoch_us(ts)::HUGEINT * 1099511627776 + seq AS ord FROM keyed)
                GROUP BY skey
            ),
            identified AS (
                SELECT CASE WHEN starts_with(skey, 'c:') THEN substr(skey, 3) ELSE '~' || %s END AS id,
                       CASE WHEN starts_with(skey, 'c:') THEN coalesce(user_id, anonymous_id, substr(skey, 3))
                            ELSE who END AS who,
                       * EXCLUDE (who)
                FROM grouped
            ),
            session_events AS (
                SELECT k.*, i.id AS sid FROM keyed k JOIN identified i USING (skey)
            ),
            sessions AS (
                SELECT %s
                FROM identified
                WHERE\s""";

    private DuckDbSessionsSql() {
    }

    /**
     * Appends the {@code WITH} clause for the query's app, range and filters; the caller appends
     * the {@code SELECT} that reads {@code sessions} and {@code session_events}.
     */
    static Sql with(EventQuery q, SqlDialect dialect, Sql sql) {
        sql.append(EVENTS_IN_WINDOW);
        sql.appAndRange("", q.appId(), q.from().minus(Sessionizer.HORIZON), q.to().plus(Sessionizer.HORIZON));
        String computedId = dialect.md5Prefix16("who || '|' || " + dialect.epochMillis("start_ts"));
        sql.append(SESSIONISE.formatted(computedId, SESSION_COLUMNS));
        sql.append("start_ts >= ? AND start_ts < ?", q.from(), q.to());
        for (Map.Entry<String, String> f : q.filters().byColumn().entrySet()) {
            // a session's path is its entry page
            String column = f.getKey().equals("path") ? "entry_page" : f.getKey();
            sql.append(" AND " + column + " = ?", f.getValue());
        }
        return sql.append("\n)\n");
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
