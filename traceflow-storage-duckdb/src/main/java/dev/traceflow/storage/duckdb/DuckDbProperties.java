package dev.traceflow.storage.duckdb;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The DuckDB backend's settings ({@code traceflow.storage.duckdb.*}); every one has a default here
 * and only here, so the embedded default needs none.
 *
 * @param file                the database file; {@code <traceflow.data-dir>/events.duckdb} when unset
 * @param threads             DuckDB worker threads; 0 means half the cores, at least one (on 2
 *                            cores one thread loads cheaper than two and leaves a core to requests)
 * @param memoryLimit         DuckDB's memory limit, e.g. {@code 2GB}
 * @param dedupCapacity       recent (appId, eventId) pairs remembered for de-duplication
 * @param checkpointThreshold WAL size at which a commit also checkpoints; the checkpoint blocks
 *                            writes while it runs (README "DuckDB checkpoints")
 * @param rowGroupSize        rows per row group, a multiple of 2048; a transaction of at least this
 *                            many rows is written straight to the file, skipping the WAL, so it is
 *                            also the batch size the loader aims for
 * @param compaction          whether closed days are rewritten in (app, type, time) order in the
 *                            background, so that scans of one app's one type skip the other row
 *                            groups (README "Compaction of closed days")
 * @param compactionDelay     how long after its end (UTC) a day is rewritten; later events for it
 *                            are appended unsorted until there are enough of them for another rewrite
 */
@ConfigurationProperties("traceflow.storage.duckdb")
public record DuckDbProperties(Path file, Integer threads, String memoryLimit, Integer dedupCapacity,
                               String checkpointThreshold, Integer rowGroupSize, Boolean compaction,
                               Duration compactionDelay) {

    public DuckDbProperties {
        threads = threads == null ? 0 : threads;
        memoryLimit = memoryLimit == null ? "2GB" : memoryLimit;
        dedupCapacity = dedupCapacity == null ? 1_000_000 : dedupCapacity;
        checkpointThreshold = checkpointThreshold == null ? "64MB" : checkpointThreshold;
        rowGroupSize = rowGroupSize == null ? DuckDbStorage.DEFAULT_ROW_GROUP_SIZE : rowGroupSize;
        compaction = compaction == null ? Boolean.TRUE : compaction;
        compactionDelay = compactionDelay == null ? DuckDbStorage.DEFAULT_COMPACTION_DELAY : compactionDelay;
        if (threads < 0) {
            throw new IllegalArgumentException("traceflow.storage.duckdb.threads must not be negative");
        }
        if (dedupCapacity < 1) {
            throw new IllegalArgumentException("traceflow.storage.duckdb.dedup-capacity must be at least 1");
        }
        if (compactionDelay.isNegative()) {
            throw new IllegalArgumentException("traceflow.storage.duckdb.compaction-delay must not be negative");
        }
    }

    /** The thread count DuckDB gets: {@code threads}, or for 0 half the cores (at least one). */
    public int effectiveThreads() {
        return effectiveThreads(Runtime.getRuntime().availableProcessors());
    }

    int effectiveThreads(int processors) {
        return threads > 0 ? threads : Math.max(1, processors / 2);
    }
}
