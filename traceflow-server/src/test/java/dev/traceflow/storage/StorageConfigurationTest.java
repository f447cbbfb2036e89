package dev.traceflow.storage;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class StorageConfigurationTest {

    @TempDir
    Path dir;

    private EventStorage storage(String batch, String rowGroup) {
        return new StorageConfiguration().duckDbStorage(TestProperties.of(Map.of(
                "traceflow.storage.duckdb.file", dir.resolve("events.duckdb").toString(),
                "traceflow.storage.journal.load-batch-events", batch,
                "traceflow.storage.duckdb.row-group-size", rowGroup)));
    }

    @Test
    void duckDb_warnsWhenLoadsWouldLeavePartFilledRowGroups(CapturedOutput output) {
        try (EventStorage storage = storage("5000", "2048")) {
            assertThat(storage.name()).isEqualTo("duckdb");
        }
        assertThat(output.getAll()).contains("load-batch-events (5000) is not a multiple of traceflow.storage.duckdb.row-group-size (2048)");
    }

    @Test
    void duckDb_saysNothingWhenLoadsAreWholeRowGroups(CapturedOutput output) {
        try (EventStorage storage = storage("6144", "2048")) {
            assertThat(storage.name()).isEqualTo("duckdb");
        }
        assertThat(output.getAll()).doesNotContain("is not a multiple of");
    }
}
