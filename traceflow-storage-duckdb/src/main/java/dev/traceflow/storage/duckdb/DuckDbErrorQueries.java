package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.ErrorQueries;

/** {@link ErrorQueries} in DuckDB SQL. */
final class DuckDbErrorQueries implements ErrorQueries {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbErrorQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }
}
