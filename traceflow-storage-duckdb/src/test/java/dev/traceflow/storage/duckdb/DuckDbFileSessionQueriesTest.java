package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.SessionQueriesContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The session contract against a DuckDB file, as the server runs it. */
class DuckDbFileSessionQueriesTest extends SessionQueriesContract {

    @TempDir
    Path tempDir;

    @Override
    protected EventStorage openStorage() {
        return new DuckDbStorage(tempDir.resolve("e.duckdb"), 1, "512MB", 100_000);
    }
}
