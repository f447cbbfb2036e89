package dev.traceflow.storage.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How big the loader's transactions are and how long it waits to fill one: a pure function of
 * what is waiting, the arrival rate and the time it is given, so a test drives it with a
 * hand-moved clock. Not thread-safe (the loader thread owns it).
 *
 * <p>Why wait at all: a backend stores a batch of its {@code batchSizeHint} events much more
 * cheaply than many small ones (DuckDB writes a whole row group straight to its file and a part of
 * one through its write-ahead log, which a later checkpoint copies again while blocking writers).
 * So the loader waits from {@code linger}, when nothing arrives, up to {@code maxDelay}, when
 * events arrive fast enough to fill a batch within it, in proportion to the arrival rate. The wait
 * used to jump from {@code linger} to {@code maxDelay} at that rate, and just under it each event
 * cost the store 2-3x the CPU (a transaction every {@code linger}, each paying a commit), at the
 * rates where a server spends most of its life; growing with the rate, the loader's commits per
 * second fall as the load rises instead (README "Transaction size"). And it ends a transaction on
 * a whole number of batches, splitting a request if need be, because a transaction that leaves a
 * part-filled row group behind makes the next commits slow (README "DuckDB checkpoints" has the
 * measurements).
 */
final class BatchingPolicy {

    private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int maxEvents;
    private final int batchEvents;
    private final long maxDelayNanos;
    /** The linger, or the max delay when that is shorter: the wait when nothing arrives. */
    private final long shortestWaitNanos;
    /** Events per second that fill a batch within the max delay (infinite for no delay). */
    private final double batchFillingRate;
    /** Events per second that reached the loader over the last window of at least a second. */
    private double arrivalRate;
    private long windowStart;
    private long windowEvents;

    /**
     * @param maxEvents   most events in one transaction; raised to {@code batchEvents} when smaller
     * @param batchEvents the backend's batch size hint (at least 1)
     */
    BatchingPolicy(int maxEvents, int batchEvents, Duration linger, Duration maxDelay, long nowNanos) {
        if (maxEvents < 1 || batchEvents < 1) {
            throw new IllegalArgumentException("the loader needs at least 1 event per transaction and per batch");
        }
        if (linger.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("the loader's linger and max delay must not be negative");
        }
        this.batchEvents = batchEvents;
        this.maxEvents = Math.max(maxEvents, batchEvents);
        this.maxDelayNanos = maxDelay.toNanos();
        this.shortestWaitNanos = Math.min(linger.toNanos(), maxDelayNanos);
        this.batchFillingRate = batchEvents / (maxDelayNanos / 1e9);
        this.windowStart = nowNanos;
    }

    int maxEvents() {
        return maxEvents;
    }

    /**
     * When a gathering that started at {@code startNanos} stops waiting for more events: after the
     * linger plus the share of the rest up to the max delay that the arrival rate is of the rate
     * filling a batch within the max delay (all of it from that rate on). Never after the max delay,
     * even when it is set shorter than the linger.
     */
    long gatherUntil(long startNanos) {
        double share = Math.min(1, arrivalRate / batchFillingRate);
        return startNanos + shortestWaitNanos + Math.round((maxDelayNanos - shortestWaitNanos) * share);
    }

    /** A transaction of this many events need not wait for more. */
    boolean isEnough(int events) {
        return events >= batchEvents || events >= maxEvents;
    }

    /**
     * The events to store of the {@code gathered} waiting: a whole number of batches when there is
     * at least one batch, else all of them.
     */
    int cut(int gathered) {
        int keep = Math.min(gathered, maxEvents) / batchEvents * batchEvents;
        return keep == 0 ? Math.min(gathered, maxEvents) : keep;
    }

    /**
     * Records a load of {@code events}; the arrival rate is measured over at least a second, idle
     * time included, so a burst after a quiet spell does not switch to long waits.
     */
    void loaded(int events, long nowNanos) {
        windowEvents += events;
        if (nowNanos - windowStart >= RATE_WINDOW_NANOS) {
            arrivalRate = windowEvents / ((nowNanos - windowStart) / 1e9);
            windowStart = nowNanos;
            windowEvents = 0;
        }
    }

    double arrivalRate() {
        return arrivalRate;
    }
}
