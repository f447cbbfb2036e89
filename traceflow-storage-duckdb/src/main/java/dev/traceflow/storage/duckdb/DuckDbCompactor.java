package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * Rewrites closed time ranges of the events table in (app, type, time) order, like ClickHouse's
 * MergeTree sorts its parts, so that DuckDB's per-row-group min/max of {@code app_id} and
 * {@code type} let a scan for one app's one type skip the other row groups; rows arrive interleaved,
 * every row group holding every app and type, so without this a scan skips by time only. Answers do
 * not change: the same rows, in another physical order ({@link DuckDbRangeRewrite} says which).
 *
 * <p>A UTC day is closed {@code closedAfter} after it ends; its rows are then rewritten, per app,
 * one range per transaction ({@link DuckDbRangeRewrite#rewrite}); events that arrive later for a
 * rewritten range are appended unsorted, and the range is rewritten again once they are many.
 *
 * <p>Concurrency: the writer's appends never conflict with a rewrite (they are new rows, outside its
 * snapshot); the writer's deletes (retention, apps, opt-outs) would, so they and each rewrite take
 * {@code deletes} in turn, and a delete waits for at most one range. Readers see the range before or
 * after, never half of it. Deleting an app's events, or retention's, forgets the ranges it empties in
 * its own transaction ({@link DuckDbRangeRewrite#forgetApp}, {@link DuckDbRangeRewrite#forgetEndedBy});
 * a user's delete lowers the row counts of the ranges it touches and forgets those it empties
 * ({@link DuckDbRangeRewrite#forgetUserRows}), so late rows still make them due as before; and a range
 * found empty when its turn comes is not recorded, so no delete leaves rows behind for good.
 *
 * <p>Bounded: one background thread; after each range it rests {@link #REST_PER_WORK} times as long
 * as the range took, so it takes at most a quarter of a core from ingest and reads; it looks for work
 * when the writer commits (at most every {@link #MIN_INTERVAL}, or {@link #REST_PER_LOOK} times as long
 * as the last look took) and every {@link #CHECK_EVERY}, so a day closing without traffic is found too. After a pass that rewrote something it asks DuckDB for a
 * checkpoint, which frees the row groups the rewrites emptied for reuse.
 */
final class DuckDbCompactor {

    private static final Logger log = LoggerFactory.getLogger(DuckDbCompactor.class);

    static final int REST_PER_WORK = 3;
    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    static final Duration CHECK_EVERY = Duration.ofMinutes(5);
    /** The look for due ranges counts a big table's rows: the next one waits at least this many times as long. */
    static final int REST_PER_LOOK = 20;

    private final EventDatabase database;
    private final Lock deletes;
    private final Duration closedAfter;
    private final int lateRows;
    private final Clock clock;
    private final BackgroundPasses passes;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong ranges = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong pendingRanges = new AtomicLong();
    /** How long the last look for due ranges took (only the background thread reads it). */
    private volatile long lookNanos;
    /** The least time between the starts of two background passes (only the background thread uses it). */
    private long minInterval = MIN_INTERVAL.toNanos();
    private volatile Runnable beforeAppend = () -> { };

    /**
     * @param deletes     held by the writer around its deletes, and here around each rewrite
     * @param closedAfter how long after its end a UTC day is rewritten (late events after that are
     *                    appended unsorted until there are enough of them)
     * @param lateRows    rows appended to a rewritten range that make it due again (a row group)
     */
    DuckDbCompactor(EventDatabase database, Lock deletes, Duration closedAfter, int lateRows, Clock clock) {
        if (closedAfter.isNegative()) {
            throw new IllegalArgumentException("the compaction delay must not be negative, got " + closedAfter);
        }
        this.database = database;
        this.deletes = deletes;
        this.closedAfter = closedAfter;
        this.lateRows = lateRows;
        this.clock = clock;
        // a failed pass leaves its ranges due, for a later pass
        this.passes = new BackgroundPasses("duckdb-compaction", log, "compacting closed DuckDB ranges",
                this::backgroundPass, took -> minInterval, CHECK_EVERY);
    }

    /** Starts the background thread. */
    void start() {
        passes.start();
    }

    /** The writer committed: there may be work (late events, or a day that closed). Never blocks. */
    void changed() {
        passes.request();
    }

    /**
     * Rewrites every range that is due now on the calling thread, without rests, until none is left
     * (benchmarks and tests).
     *
     * @return the rows rewritten
     */
    long compactAll() throws SQLException {
        long total = 0;
        for (long step = pass(false); step > 0; step = pass(false)) {
            total += step;
        }
        return total;
    }

    long rowsCompacted() {
        return rows.get();
    }

    long rangesCompacted() {
        return ranges.get();
    }

    long nanos() {
        return nanos.get();
    }

    long failures() {
        return passes.failures();
    }

    /** Ranges due at the last look, less those rewritten since. */
    long pendingRanges() {
        return pendingRanges.get();
    }

    /** Tests: runs in each rewrite's transaction after its delete (a failure there rolls it back). */
    void beforeAppend(Runnable hook) {
        this.beforeAppend = hook;
    }

    /** Stops the thread after the range under way, if any (the caller then closes the database). */
    void close() {
        passes.close();
    }

    /** Waits until the background thread has nothing due and is not working (tests). */
    void awaitIdle() throws InterruptedException {
        passes.awaitIdle(() -> pendingRanges.get() == 0);
    }

    private void backgroundPass() throws SQLException {
        pass(true);
        minInterval = Math.max(MIN_INTERVAL.toNanos(), REST_PER_LOOK * lookNanos);
    }

    /**
     * Rewrites the ranges due now, newest first, then checkpoints.
     *
     * @param rest whether to rest after each range (the background thread) or not (callers that wait)
     * @return the rows rewritten; 0 when nothing was due
     */
    private long pass(boolean rest) throws SQLException {
        long total = 0;
        try (DuckDBConnection c = database.connect()) {
            LocalDate openFrom = clock.instant().minus(closedAfter).atZone(ZoneOffset.UTC).toLocalDate();
            long looking = System.nanoTime();
            List<DuckDbRangeRewrite.Range> due = DuckDbRangeRewrite.pending(c, openFrom, lateRows);
            lookNanos = System.nanoTime() - looking;
            pendingRanges.set(due.size());
            c.setAutoCommit(false);
            for (DuckDbRangeRewrite.Range range : due) {
                if (passes.isClosed()) {
                    break;
                }
                long started = System.nanoTime();
                long rewritten;
                deletes.lock();
                try {
                    rewritten = DuckDbRangeRewrite.rewrite(c, range, beforeAppend);
                } finally {
                    deletes.unlock();
                }
                long took = System.nanoTime() - started;
                rows.addAndGet(rewritten);
                ranges.incrementAndGet();
                nanos.addAndGet(took);
                pendingRanges.decrementAndGet();
                total += rewritten;
                log.debug("compacted {} rows of app {} from {} ({} days) in {} ms", rewritten, range.appId(),
                        range.firstDay(), range.days(), took / 1_000_000);
                if (rest && !passes.rest(REST_PER_WORK * took)) {
                    break;
                }
            }
            if (total > 0) {
                c.setAutoCommit(true);
                checkpoint(c);
            }
        }
        return total;
    }

    /** Frees the row groups the rewrites emptied; skipped (not failed) when DuckDB cannot now. */
    private static void checkpoint(DuckDBConnection c) {
        try (Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            // another transaction is open; DuckDB's own checkpoints (and the next pass) free them later
            log.debug("checkpoint after compaction skipped: {}", e.getMessage());
        }
    }
}
