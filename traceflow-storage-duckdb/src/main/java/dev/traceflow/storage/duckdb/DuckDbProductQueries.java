package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.ProductQueries;

/** {@link ProductQueries} in DuckDB SQL. */
final class DuckDbProductQueries implements ProductQueries {

    private final DuckDbReads reads;
    private final SqlDialect dialect;

    DuckDbProductQueries(DuckDbReads reads, SqlDialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }
}
