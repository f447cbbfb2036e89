package dev.traceflow.storage.duckdb;

import org.slf4j.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongUnaryOperator;

/**
 * One daemon thread that runs a pass of background work ({@link DuckDbSessionRefresher},
 * {@link DuckDbCompactor}) when asked, one pass at a time: asks that arrive during a pass make one
 * more pass after it, not one each. A pass that fails is logged and counted, and the thread goes on
 * to the next one. {@link #close()} stops the thread after the pass under way (which may end early
 * by checking {@link #rest}), so the caller may then close what the passes use.
 *
 * <p>Bounded: a pass starts no sooner than {@code spacing} (given the pass's time in nanoseconds)
 * after the previous one started, so the owner decides how much of a core the passes may take; with
 * a {@code checkEvery}, a pass also starts that long after the previous one without being asked.
 * The first pass, once {@link #start() started}, runs at once, as if asked.
 */
final class BackgroundPasses {

    /** One pass of work; what it throws is logged and counted, and the next pass runs as usual. */
    @FunctionalInterface
    interface Pass {
        void run() throws SQLException;
    }

    private final String threadName;
    private final Logger log;
    private final String what;
    private final Pass pass;
    private final LongUnaryOperator spacing;
    private final long checkEveryNanos;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong passNanos = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    // guarded by this
    private Thread thread;
    private boolean requested = true;
    private boolean running;
    private boolean closed;

    /**
     * @param log        where failed passes are logged (the owner's)
     * @param what       what a pass does, for the log: "{what} failed: {message}"
     * @param spacing    from a pass's time (ns) to the least time (ns) from its start to the next pass's start
     * @param checkEvery how long after a pass's start the next one runs unasked; {@link Duration#ZERO}: never
     */
    BackgroundPasses(String threadName, Logger log, String what, Pass pass, LongUnaryOperator spacing,
                     Duration checkEvery) {
        this.threadName = threadName;
        this.log = log;
        this.what = what;
        this.pass = pass;
        this.spacing = spacing;
        this.checkEveryNanos = checkEvery.isZero() ? Long.MAX_VALUE : checkEvery.toNanos();
    }

    /** Starts the thread (once; not after {@link #close()}). */
    synchronized void start() {
        if (thread == null && !closed) {
            thread = Thread.ofPlatform().daemon().name(threadName).start(this::run);
        }
    }

    /** Asks for a pass: the next one, or one more after the pass under way. Never blocks. */
    synchronized void request() {
        if (!closed) {
            requested = true;
            notifyAll();
        }
    }

    /** Withdraws an ask not started yet (the pass under way, if any, goes on). */
    synchronized void withdraw() {
        requested = false;
    }

    /**
     * Waits until no pass is asked for or running and {@code settled} holds (it is polled), or until
     * closed (tests).
     */
    synchronized void awaitIdle(BooleanSupplier settled) throws InterruptedException {
        while ((requested || running || !settled.getAsBoolean()) && !closed) {
            wait(100);
        }
    }

    /** For a pass: rests {@code nanos} unless closed meanwhile; false when closed (the pass should end). */
    synchronized boolean rest(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0 && !closed; left = until - System.nanoTime()) {
            if (!waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)))) {
                return false;
            }
        }
        return !closed;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Passes run on the thread (failed ones too). */
    long passes() {
        return passes.get();
    }

    /** Their time in nanoseconds. */
    long passNanos() {
        return passNanos.get();
    }

    /** Passes that threw. */
    long failures() {
        return failures.get();
    }

    /** Stops the thread after the pass under way, if any, and waits for it. */
    void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long lastStart = System.nanoTime();
        long gap = 0;
        while (true) {
            synchronized (this) {
                while (!closed) {
                    long since = System.nanoTime() - lastStart;
                    long wait = (requested ? gap : Math.max(gap, checkEveryNanos)) - since;
                    if (wait <= 0) {
                        break;
                    }
                    if (!waitQuietly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)))) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                requested = false;
                running = true;
            }
            lastStart = System.nanoTime();
            try {
                pass.run();
            } catch (SQLException | RuntimeException e) {
                failures.incrementAndGet();
                log.warn("{} failed: {}", what, e.getMessage());
            } finally {
                long took = System.nanoTime() - lastStart;
                passes.incrementAndGet();
                passNanos.addAndGet(took);
                gap = spacing.applyAsLong(took);
                // its moment and length, to line up with slow answers sharing the CPU (the query benchmark)
                log.debug("{}: a pass of {} ms", what, TimeUnit.NANOSECONDS.toMillis(took));
                synchronized (this) {
                    running = false;
                    notifyAll();
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
}
