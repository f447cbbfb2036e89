package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.EventStorageContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The storage contract against a DuckDB file, including reopening it. */
class DuckDbFileStorageTest extends EventStorageContract {

    @TempDir
    Path dir;

    @Override
    protected EventStorage openStorage() {
        return new DuckDbStorage(dir.resolve("data/events.duckdb"), 1, "512MB", 1000);
    }

    @Override
    protected EventStorage reopen(EventStorage closed) {
        closed.close();
        return openStorage();
    }
}
