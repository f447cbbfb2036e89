package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.BehaviorQueriesContract;

/** The behaviour contract against an in-memory DuckDB. */
class DuckDbBehaviorQueriesTest extends BehaviorQueriesContract {

    @Override
    protected EventStorage openStorage() {
        return DuckDbStorage.inMemory();
    }
}
