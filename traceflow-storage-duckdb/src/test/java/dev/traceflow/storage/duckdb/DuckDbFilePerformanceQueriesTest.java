package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.PerformanceQueriesContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The performance contract against a DuckDB file (own connections per read, as the server runs it). */
class DuckDbFilePerformanceQueriesTest extends PerformanceQueriesContract {

    @TempDir
    Path dir;

    @Override
    protected EventStorage openStorage() {
        return new DuckDbStorage(dir.resolve("e.duckdb"), 1, "512MB", 100_000);
    }
}
