package dev.traceflow.realtime.internal.broker;

import java.time.Duration;

/**
 * Delayed tasks for the broker (redelivery, token expiry, sweeps), so tests can run them by moving a
 * clock instead of waiting. Tasks must be short and must not block: blocking work is handed to the
 * broker's executor.
 */
public interface Timers {

    Scheduled schedule(Duration delay, Runnable task);

    interface Scheduled {
        void cancel();
    }
}
