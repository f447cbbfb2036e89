package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.PerformanceQueriesContract;

/** The performance contract against an in-memory DuckDB. */
class DuckDbPerformanceQueriesTest extends PerformanceQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return DuckDbStorage.inMemory();
    }
}
