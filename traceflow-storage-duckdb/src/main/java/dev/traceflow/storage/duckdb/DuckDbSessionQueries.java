package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.SessionSummary;
import dev.traceflow.core.storage.SessionQueries;

import java.util.List;

/** {@link SessionQueries} in DuckDB SQL, on {@link DuckDbSessionsSql}. */
final class DuckDbSessionQueries implements SessionQueries {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbSessionQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    @Override
    public List<SessionSummary> summaries(EventQuery q) {
        Sql sql = DuckDbSessionsSql.with(q, dialect, new Sql());
        sql.append("SELECT " + DuckDbSessionsSql.SESSION_COLUMNS + " FROM sessions ORDER BY start_ts, id");
        return reads.list(sql, rs -> DuckDbSessionsSql.summary(rs, 1));
    }
}
