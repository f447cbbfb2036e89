package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.StorageException;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Events in DuckDB, in process: one database file (or memory), one writer connection driven by
 * the server's writer thread, and short-lived duplicated connections for reads.
 */
public final class DuckDbStorage implements EventStorage {

    private static final Logger log = LoggerFactory.getLogger(DuckDbStorage.class);

    private final DuckDBConnection root;
    private final DuckDbEventWriter writer;
    private final EventIdClaims ids;
    private final java.util.List<DuckDbEventWriter> extraWriters = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DuckDbEventCounts counts;
    private final String location;

    /**
     * @param file              the database file, created with its parent folders when missing;
     *                          {@code null} for an in-memory database (tests)
     * @param threads           DuckDB worker threads (on a 2-core machine keep this small)
     * @param memoryLimit       DuckDB memory limit, e.g. {@code 1GB}
     * @param dedupCapacity     how many recent (appId, eventId) pairs are remembered for de-duplication
     */
    public DuckDbStorage(Path file, int threads, String memoryLimit, int dedupCapacity) {
        this(file, threads, memoryLimit, dedupCapacity, "16MB");
    }

    /**
     * @param checkpointThreshold WAL size at which a commit also checkpoints (DuckDB's
     *                            {@code checkpoint_threshold}); the checkpoint runs inside that
     *                            commit, so it bounds how long one commit can take
     */
    public DuckDbStorage(Path file, int threads, String memoryLimit, int dedupCapacity, String checkpointThreshold) {
        this.location = file == null ? ":memory:" : file.toAbsolutePath().toString();
        try {
            if (file != null && file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Properties props = new Properties();
            props.setProperty("threads", Integer.toString(threads));
            props.setProperty("memory_limit", memoryLimit);
            props.setProperty("checkpoint_threshold", checkpointThreshold);
            String url = file == null ? "jdbc:duckdb:" : "jdbc:duckdb:" + location;
            this.root = (DuckDBConnection) DriverManager.getConnection(url, props);
            try (Statement st = root.createStatement()) {
                // server clock is UTC for every TIMESTAMP we write and compare
                st.execute("SET TimeZone = 'UTC'");
            }
            DuckDbSchema.migrate(root);
            this.ids = new EventIdClaims(dedupCapacity);
            DuckDbEventWriter.loadRecentIds(root, ids, dedupCapacity);
            this.writer = new DuckDbEventWriter(root.duplicate(), ids);
            this.counts = new DuckDbEventCounts(root);
            log.info("DuckDB event store open at {}", location);
        } catch (SQLException | IOException e) {
            throw new StorageException("cannot open DuckDB event store at " + location + ": " + e.getMessage(), e);
        }
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
    public EventWriter writer() {
        return writer;
    }

    /**
     * DuckDB appends from several connections in parallel (measured: 2 appenders ~1.6x one) and
     * serializes only the commits, so each extra writer is its own connection and appender. The
     * first is {@link #writer()}; all share one de-duplication index.
     */
    @Override
    public synchronized java.util.List<EventWriter> writers(int count) {
        java.util.List<EventWriter> all = new java.util.ArrayList<>();
        all.add(writer);
        try {
            while (extraWriters.size() < count - 1) {
                extraWriters.add(new DuckDbEventWriter(root.duplicate(), ids));
            }
        } catch (SQLException e) {
            throw new StorageException("cannot open another DuckDB writer: " + e.getMessage(), e);
        }
        all.addAll(extraWriters.subList(0, Math.max(0, count - 1)));
        return all;
    }

    @Override
    public EventCounts counts() {
        return counts;
    }

    /** Where the database lives: an absolute file path, or {@code :memory:}. */
    public String location() {
        return location;
    }

    @Override
    public void check() {
        try (DuckDBConnection c = (DuckDBConnection) root.duplicate();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM traceflow_schema_history")) {
            rs.next();
        } catch (SQLException e) {
            throw new StorageException("DuckDB is not answering: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        writer.close();
        extraWriters.forEach(DuckDbEventWriter::close);
        try {
            root.close();
        } catch (SQLException e) {
            log.warn("closing DuckDB failed: {}", e.getMessage());
        }
    }
}
