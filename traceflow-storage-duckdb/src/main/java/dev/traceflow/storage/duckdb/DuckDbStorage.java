package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.MetricQueries;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.ProductQueries;
import dev.traceflow.core.storage.ReleaseHealthQueries;
import dev.traceflow.core.storage.SessionQueries;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.StorageException;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Events in DuckDB, in process: one database file (or memory), one writer connection driven by
 * the server's writer thread, and duplicated connections for reads (answer queries keep theirs, with
 * the statements prepared on them, between reads).
 */
public final class DuckDbStorage implements EventStorage {

    private static final Logger log = LoggerFactory.getLogger(DuckDbStorage.class);
    private static final AtomicBoolean allocatorChecked = new AtomicBoolean();

    /**
     * Rows per row group unless configured: a quarter of DuckDB's default (122,880), so that the
     * loader's transactions fill one, and skip the write-ahead log, at moderate ingest rates
     * already (README "DuckDB checkpoints" has the measurements).
     */
    public static final int DEFAULT_ROW_GROUP_SIZE = 30_720;

    /** How long after its end a UTC day is compacted unless configured ({@link DuckDbCompactor}). */
    public static final Duration DEFAULT_COMPACTION_DELAY = Duration.ofHours(1);

    private final EventDatabase database;
    private final DuckDbEventConsumer consumer;
    private final DuckDbEventCounts counts;
    private final DuckDbReads reads;
    private final DuckDbSessionRefresher refresher;
    private final DuckDbPerformanceQueries performance;
    private final DuckDbErrorQueries errors;
    private final DuckDbSessionQueries sessions;
    private final DuckDbMetricQueries metrics;
    private final DuckDbProductQueries product;
    private final DuckDbReleaseHealthQueries releaseHealth;
    private final DuckDbCompactor compactor;

    /**
     * @param file              the database file, created with its parent folders when missing;
     *                          {@code null} for an in-memory database (tests)
     * @param threads           DuckDB worker threads (on a 2-core machine keep this small)
     * @param memoryLimit       DuckDB memory limit, e.g. {@code 1GB}
     * @param dedupCapacity     how many recent (appId, eventId) pairs are remembered for de-duplication
     */
    public DuckDbStorage(Path file, int threads, String memoryLimit, int dedupCapacity) {
        this(file, threads, memoryLimit, dedupCapacity, "16MB", DEFAULT_ROW_GROUP_SIZE);
    }

    /**
     * @param checkpointThreshold WAL size at which a commit also checkpoints (DuckDB's
     *                            {@code checkpoint_threshold}); the checkpoint runs inside that
     *                            commit, so it bounds how long one commit can take
     * @param rowGroupSize        rows per row group (a multiple of 2048): a transaction of at least
     *                            this many rows skips the write-ahead log (see {@link EventDatabase})
     */
    public DuckDbStorage(Path file, int threads, String memoryLimit, int dedupCapacity, String checkpointThreshold,
                         int rowGroupSize) {
        this(file, threads, memoryLimit, dedupCapacity, checkpointThreshold, rowGroupSize, false, DEFAULT_COMPACTION_DELAY);
    }

    /**
     * @param compactInBackground whether closed days are rewritten in (app, type, time) order on a
     *                            background thread ({@link DuckDbCompactor}); without it only
     *                            {@link #compactClosedRanges()} does
     * @param compactionDelay     how long after its end a UTC day counts as closed
     */
    public DuckDbStorage(Path file, int threads, String memoryLimit, int dedupCapacity, String checkpointThreshold,
                         int rowGroupSize, boolean compactInBackground, Duration compactionDelay) {
        String location = file == null ? ":memory:" : file.toAbsolutePath().toString();
        try {
            if (file != null && file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Properties props = new Properties();
            props.setProperty("threads", Integer.toString(threads));
            props.setProperty("memory_limit", memoryLimit);
            props.setProperty("checkpoint_threshold", checkpointThreshold);
            this.database = new EventDatabase(location, rowGroupSize, props);
        } catch (SQLException | IOException e) {
            throw new StorageException("cannot open DuckDB event store at " + location + ": " + e.getMessage(), e);
        }
        DuckDbSessionRefresher startedRefresher = null;
        try {
            DuckDBConnection root = database.root();
            DuckDbSchema.migrate(root);
            SqlDialect dialect = DuckDbDialect.INSTANCE;
            // at least two at once, so a long answer does not hold up every other one
            this.reads = new DuckDbReads(database, dialect, Math.max(2, threads));
            startedRefresher = new DuckDbSessionRefresher(database, reads.sessionCache(), dialect);
            this.refresher = startedRefresher;
            ReentrantLock deletes = new ReentrantLock();
            this.compactor = new DuckDbCompactor(database, deletes, compactionDelay, rowGroupSize, Clock.systemUTC());
            this.consumer = new DuckDbEventConsumer(database.connect(), dedupCapacity, rowGroupSize, () -> {
                refresher.changed();
                compactor.changed();
            }, deletes);
            this.counts = new DuckDbEventCounts(database);
            this.performance = new DuckDbPerformanceQueries(reads, dialect);
            this.errors = new DuckDbErrorQueries(reads, dialect);
            this.sessions = new DuckDbSessionQueries(reads, dialect);
            this.metrics = new DuckDbMetricQueries(reads, dialect);
            this.product = new DuckDbProductQueries(reads, dialect);
            this.releaseHealth = new DuckDbReleaseHealthQueries(reads, dialect);
            if (compactInBackground) {
                compactor.start();
            }
            log.info("DuckDB event store open at {} (row groups of {} rows, compaction {})", location, rowGroupSize,
                    compactInBackground ? "of days closed " + compactionDelay + " after their end" : "off");
            if (!allocatorChecked.getAndSet(true)) {
                // once per process: the allocator is the process's, not a store's
                DuckDbAllocatorCheck.warning().ifPresent(log::warn);
            }
        } catch (SQLException | RuntimeException e) {
            if (startedRefresher != null) {
                // its thread must not outlive the database it reads
                startedRefresher.close();
            }
            try {
                database.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("cannot open DuckDB event store at " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether session answers may read the session cache ({@link DuckDbSessionCache}); on unless
     * turned off, which tests do to compare answers with and without it.
     */
    void useSessionCache(boolean use) {
        reads.useSessionCache(use);
    }

    /** Days of sessions the cache has formed since this store opened (formed again counts again), for tests. */
    long sessionDaysFormed() {
        return reads.sessionDaysFormed();
    }

    /**
     * Whether outdated cached session days are re-formed in the background after loads
     * ({@link DuckDbSessionRefresher}); on unless turned off, which tests that count the days
     * reads form do.
     */
    void refreshSessionsInBackground(boolean on) {
        refresher.enable(on);
    }

    /** The background re-forming of cached session days, for tests and meters. */
    DuckDbSessionRefresher sessionRefresher() {
        return refresher;
    }

    /**
     * Rewrites, on the calling thread and without rests, every closed range of days that is not in
     * (app, type, time) order yet ({@link DuckDbCompactor}), e.g. after a bulk load, before timing
     * queries on it. Answers do not change, only how many row groups they read.
     *
     * @return the rows rewritten
     */
    public long compactClosedRanges() {
        try {
            return compactor.compactAll();
        } catch (SQLException e) {
            throw new StorageException("compacting DuckDB's closed days failed: " + e.getMessage(), e);
        }
    }

    /** The compaction, for tests and meters. */
    DuckDbCompactor compactor() {
        return compactor;
    }

    /** An in-memory store, for tests. */
    public static DuckDbStorage inMemory() {
        return new DuckDbStorage(null, 1, "512MB", 100_000);
    }

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public EventConsumer consumer() {
        return consumer;
    }

    @Override
    public EventCounts counts() {
        return counts;
    }

    @Override
    public PerformanceQueries performance() {
        return performance;
    }

    @Override
    public ErrorQueries errors() {
        return errors;
    }

    @Override
    public SessionQueries sessions() {
        return sessions;
    }

    @Override
    public MetricQueries metrics() {
        return metrics;
    }

    @Override
    public ProductQueries product() {
        return product;
    }

    @Override
    public ReleaseHealthQueries releaseHealth() {
        return releaseHealth;
    }

    @Override
    public void check() {
        try (DuckDBConnection c = database.connect();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM traceflow_schema_history")) {
            rs.next();
        } catch (SQLException e) {
            throw new StorageException("DuckDB is not answering: " + e.getMessage(), e);
        }
    }

    /** The database, for tests that look at (or change) what the store keeps. */
    EventDatabase database() {
        return database;
    }

    /** The answer queries' runner, for tests. */
    DuckDbReads reads() {
        return reads;
    }

    @Override
    public void close() {
        compactor.close();
        consumer.close();
        refresher.close();
        reads.close();
        try {
            database.close();
        } catch (SQLException e) {
            log.warn("closing DuckDB failed: {}", e.getMessage());
        }
    }
}
