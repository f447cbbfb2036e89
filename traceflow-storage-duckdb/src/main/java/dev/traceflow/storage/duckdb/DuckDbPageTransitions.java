package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.PageTransition;

import java.util.List;

/**
 * Page transitions ({@link dev.traceflow.core.storage.SessionQueries#transitions}): each page view
 * with a path paired with the previous one of its session ({@code lag} over the session's events
 * in time and storage order), over the sessions of the query.
 */
final class DuckDbPageTransitions {

    private static final String TRANSITIONS = """
            SELECT coalesce(previous, ?) AS from_page, path AS to_page, count(*) AS n
            FROM (
                SELECT se.path, lag(se.path) OVER (PARTITION BY se.sid ORDER BY se.ts, se.seq) AS previous
                FROM session_events se
                WHERE se.type = 'pageview' AND se.path IS NOT NULL
                  AND se.sid IN (SELECT id FROM sessions)
            )
            GROUP BY ALL
            ORDER BY n DESC, from_page, to_page
            LIMIT ?""";

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbPageTransitions(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    List<PageTransition> top(EventQuery q, int limit) {
        Sql sql = DuckDbSessionsSql.withEvents(q, dialect, new Sql());
        sql.append(TRANSITIONS, PageTransition.ENTRY, limit);
        return reads.list(sql, rs -> new PageTransition(rs.getString(1), rs.getString(2), rs.getLong(3)));
    }
}
