package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.ErrorQueriesContract;

/** The error contract against an in-memory DuckDB. */
class DuckDbErrorQueriesTest extends ErrorQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return DuckDbStorage.inMemory();
    }
}
