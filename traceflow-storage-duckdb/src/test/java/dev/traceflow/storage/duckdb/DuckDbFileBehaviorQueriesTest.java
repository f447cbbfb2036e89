package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.BehaviorQueriesContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The behaviour contract against a DuckDB file, as the server runs it. */
class DuckDbFileBehaviorQueriesTest extends BehaviorQueriesContract {

    @TempDir
    Path tempDir;

    @Override
    protected EventStorage openStorage() {
        return new DuckDbStorage(tempDir.resolve("e.duckdb"), 1, "512MB", 100_000);
    }
}
