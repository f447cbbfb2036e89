package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.query.Sessionizer;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.StoredEvent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One session and its events ({@link dev.traceflow.core.storage.SessionQueries#session}): the
 * session with the id among the query's, from {@link DuckDbSessionCache} when it holds the range,
 * else by forming the query's sessions (its events then read whole from the table by
 * {@code rowid}, which {@code session_events} carries as {@code seq}). One statement, so the
 * summary and the timeline come from the same snapshot.
 */
final class DuckDbSessionDetail {

    private static final String SESSION_COLUMNS = Arrays.stream(DuckDbSessionsSql.SESSION_COLUMNS.split(", "))
            .map(c -> "s." + c).collect(Collectors.joining(", "));
    private static final int EVENT_COLUMNS_FROM = DuckDbSessionsSql.SESSION_COLUMNS.split(", ").length + 1;

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbSessionDetail(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    Optional<SessionDetail> find(EventQuery q, String id) {
        // A session holds either the events of one client session_id, or (id ~...) events without
        // one: reading only those finds the same events among fewer rows (a client may send an id
        // that starts with ~ too).
        String narrow = id.startsWith("~") ? "(session_id IS NULL OR session_id = ?)" : "session_id = ?";
        Sql sql = new Sql().defer(DuckDbSessionCache.Need.sessions(q), (into, coverage) -> {
            if (coverage.sessions()) {
                fromCache(q, id, narrow, into);
            } else {
                fromEvents(q, id, narrow, into);
            }
        });
        List<Row> rows = reads.list(sql, rs -> new Row(DuckDbSessionsSql.summary(rs, 1),
                DuckDbStoredEvents.read(rs, EVENT_COLUMNS_FROM)));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<StoredEvent> events = new ArrayList<>(rows.size());
        rows.forEach(r -> events.add(r.event()));
        return Optional.of(new SessionDetail(rows.getFirst().summary(), events));
    }

    /** Forms the query's sessions and joins the one with the id to its events by {@code seq}. */
    private void fromEvents(EventQuery q, String id, String narrow, Sql sql) {
        DuckDbSessionsSql.withEvents(q, dialect, sql, narrow, id);
        sql.append("""
                SELECT %s, %s
                FROM sessions s
                JOIN session_events se ON se.sid = s.id
                JOIN (SELECT rowid AS seq, * FROM events WHERE\s""".formatted(SESSION_COLUMNS, DuckDbStoredEvents.COLUMNS));
        windowEvents(q, id, narrow, sql);
        sql.append("""
                ) e ON e.seq = se.seq
                WHERE s.id = ?
                ORDER BY se.ts, se.type, se.seq""", id);
    }

    /**
     * The cached session with the id, and its events: for a client session those with its
     * session_id, else those without one of its user; either way between its first and last event.
     * Exact because the cache answers only ranges whose sessions are shorter than the horizon and
     * whose client ids occur nowhere else in the app's history (see {@link DuckDbSessionCache}):
     * a user's sessions without an id are then apart by more than the inactivity gap, so no event
     * of another one lies between this one's first and last.
     */
    private static void fromCache(EventQuery q, String id, String narrow, Sql sql) {
        DuckDbSessionsSql.withCached(q, sql, ", client");
        sql.append("""
                SELECT %s, %s
                FROM sessions s
                JOIN (SELECT rowid AS seq, * FROM events WHERE\s""".formatted(SESSION_COLUMNS, DuckDbStoredEvents.COLUMNS));
        windowEvents(q, id, narrow, sql);
        sql.append("""
                ) e ON e.ts >= s.start_ts AND e.ts <= s.end_ts
                   AND CASE WHEN s.client THEN e.session_id = s.id
                            ELSE e.session_id IS NULL AND coalesce(e.user_id, e.anonymous_id) = s.who END
                WHERE s.id = ?
                ORDER BY e.ts, e.type, e.seq""", id);
    }

    /** The events sessions starting in the range are formed from (its horizons included), narrowed. */
    private static void windowEvents(EventQuery q, String id, String narrow, Sql sql) {
        sql.appAndRange("", q.appId(), q.from().minus(Sessionizer.HORIZON), q.to().plus(Sessionizer.HORIZON));
        sql.append(" AND " + narrow, id);
    }

    private record Row(SessionSummary summary, StoredEvent event) {
    }
}
