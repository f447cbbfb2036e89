package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The row group size is what lets the loader's transactions skip DuckDB's write-ahead log: a
 * transaction of at least one row group is written straight to the database file.
 */
class DuckDbRowGroupTest {

    private static final String NO_CHECKPOINT = "1GB";

    @TempDir
    Path dir;

    private static List<Event> events(int n, String idPrefix) {
        long at = Instant.now().toEpochMilli();
        List<Event> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(Event.builder("app", EventType.PAGEVIEW, at).eventId(idPrefix + i)
                    .url("https://shop.example.com/products/" + i + "?utm_source=newsletter&utm_campaign=" + "x".repeat(150))
                    .build());
        }
        return list;
    }

    private static long walBytes(Path file) throws Exception {
        Path wal = file.resolveSibling(file.getFileName() + ".wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    /** WAL bytes after one 4,096-event (~1 MB) transaction into row groups of {@code rowGroupSize}. */
    private long walAfterOneTransaction(String name, int rowGroupSize) throws Exception {
        Path file = dir.resolve(name);
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "256MB", 10_000, NO_CHECKPOINT, rowGroupSize)) {
            storage.consumer().accept(events(4096, "a"));
            return walBytes(file);
        }
    }

    @Test
    void aTransactionOfAtLeastOneRowGroup_skipsTheWriteAheadLog() throws Exception {
        assertThat(walAfterOneTransaction("small-groups.duckdb", 2048))
                .as("rows written to the file, only their place logged").isLessThan(100_000);
    }

    @Test
    void aTransactionSmallerThanARowGroup_goesThroughTheWriteAheadLog() throws Exception {
        assertThat(walAfterOneTransaction("default-groups.duckdb", 122_880)).as("every row in the log").isGreaterThan(500_000);
    }

    @Test
    void newRowsUseTheConfiguredSize_andAFileWrittenWithAnotherSizeStaysReadable() throws Exception {
        Path file = dir.resolve("mixed.duckdb");
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "256MB", 10_000, NO_CHECKPOINT, 8192)) {
            storage.consumer().accept(events(5000, "a"));
        }
        try (DuckDbStorage storage = new DuckDbStorage(file, 1, "256MB", 10_000, NO_CHECKPOINT, 2048)) {
            storage.consumer().accept(events(5000, "b"));
            assertThat(storage.counts().count("app", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60)))
                    .isEqualTo(10_000);
        }
        try (var c = DriverManager.getConnection("jdbc:duckdb:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(count) FROM pragma_storage_info('events') WHERE row_group_id > 0")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the second run's rows in groups of 2048").isEqualTo(2048);
        }
    }

    @Test
    void aRowGroupSizeThatIsNotAMultipleOf2048_isRefusedWithAClearError() {
        assertThatThrownBy(() -> new DuckDbStorage(dir.resolve("bad.duckdb"), 1, "256MB", 10, "16MB", 3000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 2048");
        assertThat(dir.resolve("bad.duckdb")).doesNotExist();
    }
}
