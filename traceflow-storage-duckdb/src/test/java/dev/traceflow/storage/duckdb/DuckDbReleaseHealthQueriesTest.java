package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.tests.ReleaseHealthQueriesContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The release-health contract against DuckDB, in memory and in a file. */
class DuckDbReleaseHealthQueriesTest {

    @Nested
    class InMemory extends ReleaseHealthQueriesContract {

        @Override
        protected EventStorage openStorage() {
            return DuckDbStorage.inMemory();
        }
    }

    @Nested
    class InFile extends ReleaseHealthQueriesContract {

        @TempDir
        Path dir;

        @Override
        protected EventStorage openStorage() {
            return new DuckDbStorage(dir.resolve("e.duckdb"), 1, "512MB", 100_000);
        }
    }
}
