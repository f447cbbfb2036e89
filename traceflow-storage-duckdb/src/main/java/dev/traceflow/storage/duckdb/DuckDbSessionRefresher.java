package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-forms the days of {@link DuckDbSessionCache} that loads (or deletes) outdated, on one
 * background thread, so that the next read finds them current instead of forming them on its
 * request thread. Reads stay exact without it: a day not refreshed yet is formed on read, as
 * before, and both take the cache's lock, so a day is never formed twice at once.
 *
 * <p>Bounded: one pass at start (for days outdated before a restart), then after each commit of the
 * writer {@link #changed()} marks a pass pending (signals during a pass make one more pass, not one
 * each); a pass re-forms at most
 * {@link #MAX_DAYS_PER_PASS} outdated days, newest first, and the thread then rests
 * {@link #REST_PER_WORK} times as long as the pass took, so under steady ingest it takes at most a
 * quarter of a core from ingest and reads. Only days already cached are refreshed: what readers
 * asked for once, they are likely to ask for again.
 */
final class DuckDbSessionRefresher {

    private static final Logger log = LoggerFactory.getLogger(DuckDbSessionRefresher.class);

    static final int MAX_DAYS_PER_PASS = 62;
    static final int REST_PER_WORK = 3;

    /** Cached days whose version is no longer the day's, newest first. Parameter: the limit. */
    private static final String OUTDATED = """
            SELECT c.app_id, c.day
            FROM session_cache_days c LEFT JOIN day_versions v ON v.app_id = c.app_id AND v.day = c.day
            WHERE c.version <> coalesce(v.version, 0)
            ORDER BY c.day DESC, c.app_id
            LIMIT ?""";

    private final EventDatabase database;
    private final DuckDbSessionCache cache;
    private final SqlDialect dialect;
    private final Thread thread;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong passNanos = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    // guarded by this
    private boolean enabled = true;
    /**
     * True at start: one pass re-forms the days that loads outdated before the last shutdown (a load
     * commits, then the process stops before the pass it asked for), so that the first read after
     * a restart finds them current instead of forming them on its request thread.
     */
    private boolean pending = true;
    private boolean running;
    private boolean closed;

    DuckDbSessionRefresher(EventDatabase database, DuckDbSessionCache cache, SqlDialect dialect) {
        this.database = database;
        this.cache = cache;
        this.dialect = dialect;
        this.thread = Thread.ofPlatform().daemon().name("duckdb-session-refresh").start(this::run);
    }

    /** The writer committed events or deletes: cached days may be outdated. Never blocks. */
    synchronized void changed() {
        if (enabled && !closed) {
            pending = true;
            notifyAll();
        }
    }

    /** Turns refreshing off (tests that count the days reads form) or on again. */
    synchronized void enable(boolean on) {
        enabled = on;
        if (!on) {
            pending = false;
        }
    }

    /** Waits until no pass is pending or running (tests). */
    synchronized void awaitIdle() throws InterruptedException {
        while ((pending || running) && !closed) {
            wait();
        }
    }

    long passes() {
        return passes.get();
    }

    long passNanos() {
        return passNanos.get();
    }

    long failures() {
        return failures.get();
    }

    /** Stops the thread after the pass under way, if any (the caller then closes the database). */
    void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!pending && !closed) {
                    if (!waitQuietly(0)) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                pending = false;
                running = true;
            }
            long started = System.nanoTime();
            boolean more = false;
            try {
                more = refreshOutdated();
            } catch (SQLException | RuntimeException e) {
                failures.incrementAndGet();
                // the days stay outdated and are formed by the next read or pass
                log.warn("refreshing outdated session days failed: {}", e.getMessage());
            }
            long took = System.nanoTime() - started;
            passes.incrementAndGet();
            passNanos.addAndGet(took);
            synchronized (this) {
                running = false;
                pending |= more && enabled;
                notifyAll();
                long restUntil = System.nanoTime() + REST_PER_WORK * took;
                for (long left = restUntil - System.nanoTime(); left > 0 && !closed; left = restUntil - System.nanoTime()) {
                    if (!waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)))) {
                        return;
                    }
                }
            }
        }
    }

    /** Waits on this monitor; false when interrupted (the thread then ends). */
    private boolean waitQuietly(long millis) {
        try {
            wait(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** One pass: re-forms up to {@link #MAX_DAYS_PER_PASS} outdated days; true when there may be more. */
    private boolean refreshOutdated() throws SQLException {
        try (DuckDBConnection c = database.connect()) {
            Map<String, TreeSet<LocalDate>> byApp = outdated(c);
            int found = byApp.values().stream().mapToInt(TreeSet::size).sum();
            for (Map.Entry<String, TreeSet<LocalDate>> app : byApp.entrySet()) {
                refresh(c, app.getKey(), runs(app.getValue()));
            }
            return found == MAX_DAYS_PER_PASS;
        }
    }

    private static Map<String, TreeSet<LocalDate>> outdated(DuckDBConnection c) throws SQLException {
        Map<String, TreeSet<LocalDate>> byApp = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(OUTDATED)) {
            ps.setInt(1, MAX_DAYS_PER_PASS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byApp.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getObject(2, LocalDate.class));
                }
            }
        }
        return byApp;
    }

    /** Consecutive days as runs, so that the days between two outdated ones are not formed too. */
    private static List<LocalDate[]> runs(TreeSet<LocalDate> days) {
        List<LocalDate[]> runs = new ArrayList<>();
        LocalDate[] run = null;
        for (LocalDate d : days) {
            if (run != null && run[1].plusDays(1).equals(d)) {
                run[1] = d;
            } else {
                run = new LocalDate[] {d, d};
                runs.add(run);
            }
        }
        return runs;
    }

    /**
     * Re-forms an app's runs in one transaction under the cache's lock, as a read forms them:
     * the cache checks the versions again in that transaction, so days a read formed meanwhile
     * are left alone.
     */
    private void refresh(DuckDBConnection c, String appId, List<LocalDate[]> runs) throws SQLException {
        cache.lock().lock();
        try {
            c.setAutoCommit(false);
            try {
                for (LocalDate[] run : runs) {
                    cache.refresh(c, new DuckDbSessionCache.Need(appId, run[0], run[1], false), dialect);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } finally {
            cache.lock().unlock();
        }
    }
}
