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

    private static final int TOTAL_COLUMN = DuckDbSessionsSql.SESSION_COLUMNS.split(", ").length + 1;

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
        this.heatmap = new DuckDbClickHeatmap(reads, dialect);
    }

    @Override
    public List<SessionSummary> summaries(EventQuery q) {
        Sql sql = DuckDbSessionsSql.with(q, dialect, new Sql());
        sql.append("SELECT " + DuckDbSessionsSql.SESSION_COLUMNS + " FROM sessions ORDER BY start_ts, id");
        return reads.list(sql, rs -> DuckDbSessionsSql.summary(rs, 1));
    }

    /**
     * The page and the total in one statement (the sessions are formed once): the total is counted
     * before the position's filter, and read from the first row; a page past the end has no row to
     * read it from and counts again.
     */
    @Override
    public SessionPage newestFirst(EventQuery q, SessionPosition after, int limit) {
        Sql sql = DuckDbSessionsSql.with(q, dialect, new Sql());
        sql.append("SELECT " + DuckDbSessionsSql.SESSION_COLUMNS + ", total\nFROM (SELECT *, count(*) OVER () AS total FROM sessions)\n");
        if (after != null) {
            Instant start = Instant.ofEpochMilli(after.start());
            sql.append("WHERE start_ts < ? OR (start_ts = ? AND id < ?)\n", start, start, after.id());
        }
        // one more than asked tells whether more follow
        sql.append("ORDER BY start_ts DESC, id DESC LIMIT ?", limit + 1);
        long[] total = {-1};
        List<SessionSummary> rows = reads.list(sql, rs -> {
            total[0] = rs.getLong(TOTAL_COLUMN);
            return DuckDbSessionsSql.summary(rs, 1);
        });
        if (rows.isEmpty()) {
            return new SessionPage(rows, after == null ? 0 : count(q), false);
        }
        boolean more = rows.size() > limit;
        return new SessionPage(more ? rows.subList(0, limit) : rows, total[0], more);
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
