package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.PageTransition;

import java.util.List;

/**
 * Page transitions ({@link dev.traceflow.core.storage.SessionQueries#transitions}): each page view
 * with a path paired with the previous one of its session ({@code lag} over the session's events
 * in time and storage order), over the sessions of the query. Counted from the pairs
 * {@link DuckDbSessionCache} keeps per session when it holds the range, else from sessions formed
 * from the events: the same pairs either way.
 */
final class DuckDbPageTransitions {

    /** The rest of the statement after either {@code WITH} clause, which defines {@code pairs}. */
    private static final String COUNTED = """
            SELECT coalesce(previous, ?) AS from_page, path AS to_page, count(*) AS n
            FROM pairs
            GROUP BY ALL
            ORDER BY n DESC, from_page, to_page
            LIMIT ?""";

    private static final String LIVE_PAIRS = """
            , pairs AS (
                SELECT se.path, lag(se.path) OVER (PARTITION BY se.sid ORDER BY se.ts, se.seq) AS previous
                FROM session_events se
                WHERE se.type = 'pageview' AND se.path IS NOT NULL
                  AND se.sid IN (SELECT id FROM sessions)
            )
            """;

    private static final String CACHED_PAIRS = """
            , pairs AS (
                SELECT t.to_page AS path, t.from_page AS previous
                FROM (SELECT unnest(transitions) AS t FROM sessions)
            )
            """;

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbPageTransitions(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    List<PageTransition> top(EventQuery q, int limit) {
        Sql sql = new Sql().defer(DuckDbSessionCache.Need.sessions(q), (into, coverage) -> {
            if (coverage.sessions()) {
                DuckDbSessionsSql.withCached(q, into, ", transitions").append(CACHED_PAIRS);
            } else {
                DuckDbSessionsSql.withEvents(q, dialect, into).append(LIVE_PAIRS);
            }
        });
        sql.append(COUNTED, PageTransition.ENTRY, limit);
        return reads.list(sql, rs -> new PageTransition(rs.getString(1), rs.getString(2), rs.getLong(3)));
    }
}
