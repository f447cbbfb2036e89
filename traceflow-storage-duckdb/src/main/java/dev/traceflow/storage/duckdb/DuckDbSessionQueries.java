package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.storage.Heatmap;
import dev.traceflow.core.storage.PageTransition;
import dev.traceflow.core.storage.SessionDetail;
import dev.traceflow.core.storage.SessionPage;
import dev.traceflow.core.storage.SessionPosition;
import dev.traceflow.core.storage.SessionQueries;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@link SessionQueries} in DuckDB SQL, on {@link DuckDbSessionsSql}: the lists here, the session
 * detail, page transitions and the heatmap each in their own class.
 */
final class DuckDbSessionQueries implements SessionQueries {

    private final DuckDbReads reads;
    private final SqlDialect dialect;
    private final DuckDbSessionDetail detail;
    private final DuckDbPageTransitions transitions;
    private final DuckDbClickHeatmap heatmap;

    DuckDbSessionQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
        this.detail = new DuckDbSessionDetail(reads, dialect);
        this.transitions = new DuckDbPageTransitions(reads, dialect);
        this.heatmap = new DuckDbClickHeatmap(reads);
    }

    @Override
    public List<SessionSummary> summaries(EventQuery q) {
        Sql sql = DuckDbSessionsSql.with(q, dialect, new Sql());
        sql.append("SELECT " + DuckDbSessionsSql.SESSION_COLUMNS + " FROM sessions ORDER BY start_ts, id");
        return reads.list(sql, rs -> DuckDbSessionsSql.summary(rs, 1));
    }

    /**
     * The page, then the total in a second statement unless the first page holds every session.
     * Not one statement with {@code count(*) OVER ()}: that keeps every session's row until the
     * sort, where the top-N of the page alone does not (measured 5-10 times slower).
     */
    @Override
    public SessionPage newestFirst(EventQuery q, SessionPosition after, int limit) {
        Sql sql = DuckDbSessionsSql.with(q, dialect, new Sql());
        sql.append("SELECT " + DuckDbSessionsSql.SESSION_COLUMNS + " FROM sessions\n");
        if (after != null) {
            Instant start = Instant.ofEpochMilli(after.start());
            sql.append("WHERE start_ts < ? OR (start_ts = ? AND id < ?)\n", start, start, after.id());
        }
        // one more than asked tells whether more follow
        sql.append("ORDER BY start_ts DESC, id DESC LIMIT ?", limit + 1);
        List<SessionSummary> rows = reads.list(sql, rs -> DuckDbSessionsSql.summary(rs, 1));
        boolean more = rows.size() > limit;
        long total = after == null && !more ? rows.size() : count(q);
        return new SessionPage(more ? rows.subList(0, limit) : rows, total, more);
    }

    @Override
    public long count(EventQuery q) {
        Sql sql = DuckDbSessionsSql.with(q, dialect, new Sql());
        sql.append("SELECT count(*) FROM sessions");
        return reads.one(sql, rs -> rs.getLong(1));
    }

    @Override
    public Optional<SessionDetail> session(EventQuery q, String id) {
        return detail.find(q, id);
    }

    @Override
    public List<PageTransition> transitions(EventQuery q, int limit) {
        return transitions.top(q, limit);
    }

    @Override
    public Heatmap heatmap(EventQuery q, String path) {
        return heatmap.of(q, path);
    }
}
