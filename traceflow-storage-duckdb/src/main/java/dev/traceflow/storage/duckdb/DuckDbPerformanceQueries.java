package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.PerformanceQueries;

/** {@link PerformanceQueries} in DuckDB SQL. */
final class DuckDbPerformanceQueries implements PerformanceQueries {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbPerformanceQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }
}
