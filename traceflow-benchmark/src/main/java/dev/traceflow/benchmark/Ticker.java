package dev.traceflow.benchmark;

import java.util.concurrent.locks.LockSupport;

/**
 * The load loops' time: {@link System#nanoTime()} and parking in a real run. A test gives a
 * clock it moves itself, so what it checks of a schedule (how many requests an open loop sends)
 * does not depend on how fast the machine running it is.
 */
interface Ticker {

    /** The real one. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long nanoTime) {
            long remaining;
            while ((remaining = nanoTime - System.nanoTime()) > 0) {
                LockSupport.parkNanos(remaining);
            }
        }
    };

    /** Now, in nanoseconds on this ticker's scale (only differences mean anything). */
    long nanoTime();

    /** Returns once {@link #nanoTime()} has reached {@code nanoTime}. */
    void parkUntil(long nanoTime);
}
