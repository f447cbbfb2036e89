package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.EventStorageContract;

/** The storage contract against an in-memory DuckDB. */
class DuckDbInMemoryStorageTest extends EventStorageContract {

    @Override
    protected EventStorage openStorage() {
        return DuckDbStorage.inMemory();
    }
}
