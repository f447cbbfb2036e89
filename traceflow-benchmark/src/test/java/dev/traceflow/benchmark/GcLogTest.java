package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's GC log as the query benchmark reads it ({@link GcLog}): the pauses of Serial,
 * Parallel and G1 as their {@code -Xlog:gc} lines say, counted from a mark, so each phase gets its own;
 * concurrent phases are not pauses.
 */
class GcLogTest {

    @Test
    void pauses_areTheLinesThatSayPause_withTheirDurations() {
        GcLog.Pauses pauses = GcLog.Pauses.of(List.of(
                "[0.004s] Using Serial",
                "[1.728s] GC(0) Pause Young (Allocation Failure) 101M->7M(365M) 16.027ms",
                "[5.135s] GC(3) Pause Full (Metadata GC Threshold) 106M->29M(365M) 91.700ms",
                "[6.1s] GC(4) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms",
                "[6.2s] GC(5) Concurrent Mark Cycle 45.000ms",
                "[6.3s] GC(5) Pause Remark 30M->30M(256M) 1.000ms"));

        assertThat(pauses.count()).isEqualTo(4);
        assertThat(pauses.totalMs()).isCloseTo(112.183, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(pauses.maxMs()).isEqualTo(91.7);
        assertThat(pauses.over50()).isEqualTo(1);
        assertThat(pauses.toMap(10)).containsEntry("pausedPercent", 1.12).containsEntry("maxMs", 91.7);
    }

    @Test
    void aMark_leavesOutWhatCameBefore_andTheCollectorIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gc.log");
        GcLog log = new GcLog(file);
        assertThat(log.mark()).isZero();
        assertThat(log.collector()).isNull();
        assertThat(log.jvmOption()).isEqualTo("-Xlog:gc:file=" + file + ":uptime");

        Files.write(file, List.of("[0.004s] Using Parallel", "[1.0s] GC(0) Pause Young (Allocation Failure) 100M->9M(300M) 150.5ms"));
        long mark = log.mark();
        Files.write(file, List.of("[9.0s] GC(1) Pause Young (Allocation Failure) 100M->9M(300M) 12.5ms"), StandardOpenOption.APPEND);

        assertThat(log.collector()).isEqualTo("Parallel");
        assertThat(log.pausesSince(mark)).isEqualTo(new GcLog.Pauses(1, 12.5, 12.5, 0));
        assertThat(log.pausesSince(0).count()).isEqualTo(2);
    }
}
