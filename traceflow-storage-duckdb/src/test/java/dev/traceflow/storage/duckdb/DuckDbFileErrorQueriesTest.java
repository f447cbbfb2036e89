package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.ErrorQueriesContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The error contract against a DuckDB file, as the server runs it. */
class DuckDbFileErrorQueriesTest extends ErrorQueriesContract {

    @TempDir
    Path dir;

    @Override
    protected EventStorage openStorage() {
        return new DuckDbStorage(dir.resolve("e.duckdb"), 1, "512MB", 100_000);
    }
}
