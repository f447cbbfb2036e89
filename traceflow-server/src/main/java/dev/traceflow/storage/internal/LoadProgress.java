package dev.traceflow.storage.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How far the journal, the store and the {@code EventsStored} listeners have got, in journal
 * positions, and the wish of a reader that the loader load now instead of gathering a bigger
 * transaction. Thread-safe.
 */
final class LoadProgress {

    private final Object monitor = new Object();
    /** Position of the last record journaled (acknowledged) and of the last one stored. */
    private volatile long journaled = -1;
    private volatile long stored = -1;
    /** Position up to which EventsStored was delivered to the listeners. */
    private volatile long announced = -1;
    private volatile boolean loadNow;

    void start(long journaledPosition, long storedPosition) {
        journaled = journaledPosition;
        stored = storedPosition;
        announced = storedPosition;
    }

    void journaled(long position) {
        journaled = position;
    }

    long journaled() {
        return journaled;
    }

    long stored() {
        return stored;
    }

    /** Records a load and wakes whoever waits for it. */
    void stored(long position) {
        synchronized (monitor) {
            stored = position;
            if (stored >= journaled) {
                loadNow = false;
            }
            monitor.notifyAll();
        }
    }

    /** The listeners were told about everything up to {@code position}. */
    void announced(long position) {
        synchronized (monitor) {
            announced = Math.max(announced, position);
            monitor.notifyAll();
        }
    }

    boolean loadNow() {
        return loadNow;
    }

    void loadNow(boolean now) {
        loadNow = now;
    }

    /**
     * Waits until everything journaled before the call is stored and its {@code EventsStored} was
     * delivered; asks the loader to hurry meanwhile.
     */
    boolean awaitStored(Duration timeout) throws InterruptedException {
        long target = journaled;
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (stored < target || announced < target) {
                if (stored < target) {
                    loadNow = true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
        }
        return true;
    }
}
