package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.MetricQueriesContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The metric contract against DuckDB, in memory and in a file. */
class DuckDbMetricQueriesTest {

    @Nested
    class InMemory extends MetricQueriesContract {

        @Override
        protected EventStorage openStorage() {
            return DuckDbStorage.inMemory();
        }
    }

    @Nested
    class InFile extends MetricQueriesContract {

        @TempDir
        Path dir;

        @Override
        protected EventStorage openStorage() {
            return new DuckDbStorage(dir.resolve("e.duckdb"), 1, "512MB", 100_000);
        }
    }
}
