package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.StorageException;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs answer queries: each on a duplicated connection of its own while it runs, so reads run in
 * parallel with each other and with the loader, and see the last committed load; the connections
 * and the statements prepared on them are kept for later reads ({@link DuckDbReaderConnections}). A statement that reads sessions
 * ({@link Sql#need()}) runs in one transaction with the check of {@link DuckDbSessionCache}, so
 * the cached days it reads are current in the snapshot it reads them from; days the cache lacks
 * are formed first, under the cache's lock, in the same transaction as the answer.
 */
final class DuckDbReads {

    private static final Logger log = LoggerFactory.getLogger(DuckDbReads.class);

    /** Maps the current row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Queries waiting for a reader thread beyond which a read is refused (the server answers 503). */
    static final int MAX_WAITING = 64;

    private final SqlDialect dialect;
    private final DuckDbSessionCache cache = new DuckDbSessionCache();
    private final DuckDbReaderConnections connections;
    private volatile boolean useCache = true;
    private final ThreadPoolExecutor readers;
    // what DuckDbReadMeters publishes: where an answer's time goes, waiting for a reader or on it
    private final LongAdder ran = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder runNanos = new LongAdder();
    // the run split by the reader thread's own clocks: on a CPU, and runnable but waiting for one
    private final LongAdder cpuNanos = new LongAdder();
    private final LongAdder cpuWaitNanos = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /**
     * @param readerThreads how many answer queries run at once; the others wait (up to
     *                      {@value #MAX_WAITING}), so reads cannot take every core from ingest
     */
    DuckDbReads(EventDatabase database, SqlDialect dialect, int readerThreads) {
        this.dialect = dialect;
        this.connections = new DuckDbReaderConnections(database);
        AtomicInteger n = new AtomicInteger();
        this.readers = new ThreadPoolExecutor(readerThreads, readerThreads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_WAITING),
                r -> Thread.ofPlatform().daemon().name("duckdb-read-" + n.incrementAndGet()).unstarted(r));
    }

    /**
     * Runs a read on a reader thread and waits for it. A DuckDB query is one long native call, and
     * a virtual thread in a native call pins its carrier: on a server with one or two carriers a
     * few long answers stopped every other request, ingest included (the query benchmark held 1.6k
     * of 14.4k events/s while session queries ran). Waiting on a future parks the virtual thread
     * instead, and the bounded pool also bounds the CPU reads can take.
     */
    private <T> T onReader(Callable<T> read) {
        Future<T> future;
        long submitted = System.nanoTime();
        try {
            future = readers.submit(() -> {
                long started = System.nanoTime();
                long cpuBefore = ReaderThreadTimes.cpuNanos();
                long runQueueBefore = ReaderThreadTimes.runQueueNanos();
                try {
                    return read.call();
                } finally {
                    // the thread's clocks first, the end of the run last: their parts stay within the run
                    long cpuAfter = ReaderThreadTimes.cpuNanos();
                    long runQueueAfter = ReaderThreadTimes.runQueueNanos();
                    long ended = System.nanoTime();
                    waitNanos.add(started - submitted);
                    runNanos.add(ended - started);
                    if (cpuBefore >= 0) {
                        cpuNanos.add(cpuAfter - cpuBefore);
                    }
                    if (runQueueBefore >= 0) {
                        cpuWaitNanos.add(runQueueAfter - runQueueBefore);
                    }
                    ran.increment();
                }
            });
        } catch (RejectedExecutionException e) {
            refused.increment();
            throw new StorageException("too many answer queries are waiting; retry shortly", e);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for an answer query", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StorageException("an answer query failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Reads that ran on a reader thread (finished or failed). */
    long ran() {
        return ran.sum();
    }

    /** Their time queued for a reader thread, in total. */
    long waitNanos() {
        return waitNanos.sum();
    }

    /** Their time on a reader thread (the statements and their rows), in total. */
    long runNanos() {
        return runNanos.sum();
    }

    /** Of {@link #runNanos()}: the reader threads' CPU time (0 where the JVM does not measure it). */
    long cpuNanos() {
        return cpuNanos.sum();
    }

    /**
     * Of {@link #runNanos()}: the time the reader threads were runnable but waited for a CPU (Linux's
     * run-queue delay; 0 where it is not measured, see {@link ReaderThreadTimes#runQueueMeasured()}).
     */
    long cpuWaitNanos() {
        return cpuWaitNanos.sum();
    }

    /** Reads refused because {@value #MAX_WAITING} were already waiting. */
    long refused() {
        return refused.sum();
    }

    /** Reads waiting for a reader thread now. */
    int waiting() {
        return readers.getQueue().size();
    }

    /** Statements prepared for answers so far, and those run again without preparing. */
    long statementsPrepared() {
        return connections.prepared();
    }

    long statementsReused() {
        return connections.reused();
    }

    /**
     * Stops the reader threads (queries still running finish) and closes the idle reader
     * connections; one still in use closes when its read ends.
     */
    void close() {
        readers.shutdown();
        connections.close();
    }

    /** The session cache these reads form and read, for {@link DuckDbSessionRefresher}. */
    DuckDbSessionCache sessionCache() {
        return cache;
    }

    /** Days the session cache has formed so far, for tests. */
    long sessionDaysFormed() {
        return cache.formedDays();
    }

    /** Whether session statements may read the session cache (tests compare both ways). */
    void useSessionCache(boolean use) {
        this.useCache = use;
    }

    <T> List<T> list(Sql sql, RowMapper<T> mapper) {
        return onReader(() -> listHere(sql, mapper));
    }

    private <T> List<T> listHere(Sql sql, RowMapper<T> mapper) {
        DuckDbReaderConnections.Reader reader;
        try {
            reader = connections.borrow();
        } catch (SQLException e) {
            throw new StorageException("an answer query failed: " + e.getMessage(), e);
        }
        try {
            List<T> rows = listOn(reader, sql, mapper);
            // a connection goes back only without an open transaction: the next read must see newer commits
            reader.connection().setAutoCommit(true);
            connections.giveBack(reader);
            return rows;
        } catch (SQLException | RuntimeException e) {
            connections.discard(reader);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StorageException("an answer query failed: " + e.getMessage(), e);
        }
    }

    private <T> List<T> listOn(DuckDbReaderConnections.Reader reader, Sql sql, RowMapper<T> mapper) throws SQLException {
        DuckDBConnection c = reader.connection();
        DuckDbSessionCache.Need need = sql.need();
        if (need == null) {
            return run(reader, sql, mapper);
        }
        if (!useCache) {
            return run(reader, sql.resolve(DuckDbSessionCache.Coverage.NONE), mapper);
        }
        c.setAutoCommit(false);
        DuckDbSessionCache.Coverage coverage = cache.coverage(c, need);
        if (!coverage.missing()) {
            List<T> rows = run(reader, sql.resolve(coverage), mapper);
            c.commit();
            return rows;
        }
        c.rollback();
        return formingThenRun(reader, sql, need, mapper);
    }

    /**
     * Forms the missing days and answers in one transaction (a new snapshot, taken under the lock,
     * so it sees the days another reader formed meanwhile). Should the commit fail, the answer,
     * read in that transaction, still stands; the days are formed again by a later read.
     */
    private <T> List<T> formingThenRun(DuckDbReaderConnections.Reader reader, Sql sql, DuckDbSessionCache.Need need,
                                       RowMapper<T> mapper) throws SQLException {
        DuckDBConnection c = reader.connection();
        cache.lock().lock();
        try {
            List<T> rows;
            try {
                DuckDbSessionCache.Coverage coverage = cache.form(c, need, dialect);
                rows = run(reader, sql.resolve(coverage), mapper);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                log.warn("keeping formed sessions failed, answered without: {}", e.getMessage());
                c.rollback();
            }
            return rows;
        } finally {
            cache.lock().unlock();
        }
    }

    /** Runs the statement, prepared on the reader's connection once per text and kept there. */
    private static <T> List<T> run(DuckDbReaderConnections.Reader reader, Sql sql, RowMapper<T> mapper) throws SQLException {
        PreparedStatement ps = reader.prepare(sql.text());
        List<Object> params = sql.parameters();
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
        }
        return out;
    }

    /** The single row of an aggregate query. */
    <T> T one(Sql sql, RowMapper<T> mapper) {
        List<T> rows = list(sql, mapper);
        if (rows.size() != 1) {
            throw new StorageException("expected one row, got " + rows.size());
        }
        return rows.getFirst();
    }

    /** A TIMESTAMP column (UTC) as an instant; null stays null. */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        LocalDateTime t = localDateTime(rs, column);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static LocalDateTime localDateTime(ResultSet rs, int column) throws SQLException {
        Object o = rs.getObject(column);
        return switch (o) {
            case null -> null;
            case LocalDateTime t -> t;
            case Timestamp t -> t.toLocalDateTime();
            default -> rs.getObject(column, LocalDateTime.class);
        };
    }

    /** A nullable DOUBLE. */
    static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }
}
