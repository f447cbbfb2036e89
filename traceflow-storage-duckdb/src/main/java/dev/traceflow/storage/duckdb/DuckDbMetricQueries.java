package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.MetricQueries;

/** {@link MetricQueries} in DuckDB SQL. */
final class DuckDbMetricQueries implements MetricQueries {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbMetricQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }
}
