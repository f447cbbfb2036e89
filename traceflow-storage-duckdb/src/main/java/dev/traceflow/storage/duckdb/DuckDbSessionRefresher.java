package dev.traceflow.storage.duckdb;

import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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
    /**
     * Asked for at start: one pass re-forms the days that loads outdated before the last shutdown (a
     * load commits, then the process stops before the pass it asked for), so that the first read after
     * a restart finds them current instead of forming them on its request thread.
     */
    private final BackgroundPasses passes;

    // guarded by this
    private boolean enabled = true;

    DuckDbSessionRefresher(EventDatabase database, DuckDbSessionCache cache, SqlDialect dialect) {
        this.database = database;
        this.cache = cache;
        this.dialect = dialect;
        // the days stay outdated after a failed pass and are formed by the next read or pass
        this.passes = new BackgroundPasses("duckdb-session-refresh", log, "refreshing outdated session days",
                this::refreshOutdated, took -> (1 + REST_PER_WORK) * took, Duration.ZERO);
        passes.start();
    }

    /** The writer committed events or deletes: cached days may be outdated. Never blocks. */
    synchronized void changed() {
        if (enabled) {
            passes.request();
        }
    }

    /** Turns refreshing off (tests that count the days reads form) or on again. */
    synchronized void enable(boolean on) {
        enabled = on;
        if (!on) {
            passes.withdraw();
        }
    }

    /** Waits until no pass is pending or running (tests). */
    void awaitIdle() throws InterruptedException {
        passes.awaitIdle(() -> true);
    }

    long passes() {
        return passes.passes();
    }

    long passNanos() {
        return passes.passNanos();
    }

    long failures() {
        return passes.failures();
    }

    /** Stops the thread after the pass under way, if any (the caller then closes the database). */
    void close() {
        passes.close();
    }

    /** One pass: re-forms up to {@link #MAX_DAYS_PER_PASS} outdated days, and asks for another when there may be more. */
    private void refreshOutdated() throws SQLException {
        try (DuckDBConnection c = database.connect()) {
            Map<String, TreeSet<LocalDate>> byApp = outdated(c);
            int found = byApp.values().stream().mapToInt(TreeSet::size).sum();
            for (Map.Entry<String, TreeSet<LocalDate>> app : byApp.entrySet()) {
                refresh(c, app.getKey(), runs(app.getValue()));
            }
            if (found == MAX_DAYS_PER_PASS) {
                changed();
            }
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
