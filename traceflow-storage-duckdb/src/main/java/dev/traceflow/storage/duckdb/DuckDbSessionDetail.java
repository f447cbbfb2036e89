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
 * One session and its events ({@link dev.traceflow.core.storage.SessionQueries#session}). Sessions
 * formed at query time exist only as a query's answer, so the session is found by forming the
 * query's sessions and picking the one with the id; its events are then read whole from the table
 * (by {@code rowid}, which {@code session_events} carries as {@code seq}). One statement, so the
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
        // one: reading only those forms the same session from fewer rows (a client may send an id
        // that starts with ~ too).
        String narrow = id.startsWith("~") ? "(session_id IS NULL OR session_id = ?)" : "session_id = ?";
        Sql sql = DuckDbSessionsSql.withEvents(q, dialect, new Sql(), narrow, id);
        sql.append("""
                SELECT %s, %s
                FROM sessions s
                JOIN session_events se ON se.sid = s.id
                JOIN (SELECT rowid AS seq, * FROM events WHERE\s""".formatted(SESSION_COLUMNS, DuckDbStoredEvents.COLUMNS));
        // the same window session_events was formed over
        sql.appAndRange("", q.appId(), q.from().minus(Sessionizer.HORIZON), q.to().plus(Sessionizer.HORIZON));
        sql.append(" AND " + narrow, id);
        sql.append("""
                ) e ON e.seq = se.seq
                WHERE s.id = ?
                ORDER BY se.ts, se.seq""", id);
        List<Row> rows = reads.list(sql, rs -> new Row(DuckDbSessionsSql.summary(rs, 1),
                DuckDbStoredEvents.read(rs, EVENT_COLUMNS_FROM)));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<StoredEvent> events = new ArrayList<>(rows.size());
        rows.forEach(r -> events.add(r.event()));
        return Optional.of(new SessionDetail(rows.getFirst().summary(), events));
    }

    private record Row(SessionSummary summary, StoredEvent event) {
    }
}
