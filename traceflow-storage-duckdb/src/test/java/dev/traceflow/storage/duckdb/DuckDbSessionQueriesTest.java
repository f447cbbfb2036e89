package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.SessionQueriesContract;

/** The session contract against an in-memory DuckDB. */
class DuckDbSessionQueriesTest extends SessionQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return DuckDbStorage.inMemory();
    }
}
