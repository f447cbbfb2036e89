package dev.traceflow.builds.internal;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Duration;

/**
 * When an idle in-process claim loop looks at the queue again: {@code poll} after a look that found
 * nothing, doubling with each further empty look up to {@code maxIdlePoll}. An idle server otherwise
 * ran a queue query per worker every {@code poll}, on the CPU its requests need. A build queued on
 * this server wakes the waiting loops as soon as its transaction commits ({@link #buildQueued}), so
 * backing off delays it not at all; a build queued through another server sharing the database waits
 * at most {@code maxIdlePoll}.
 */
@Component
class IdlePolling {

    private final Object monitor = new Object();
    private long queued; // guarded by monitor: builds queued here so far

    /** The wait after {@code emptyLooks} (1 or more) looks in a row that claimed nothing. */
    static Duration delay(Duration poll, Duration maxIdlePoll, int emptyLooks) {
        Duration max = maxIdlePoll.compareTo(poll) < 0 ? poll : maxIdlePoll;
        int doublings = Math.min(Math.max(emptyLooks - 1, 0), 30);
        Duration d = poll.multipliedBy(1L << doublings);
        return d.compareTo(max) > 0 ? max : d;
    }

    /** A mark to take before looking at the queue: {@link #await} returns at once if a build was queued since. */
    long mark() {
        synchronized (monitor) {
            return queued;
        }
    }

    /**
     * Waits {@code delay}, or less when a build is queued here after {@code mark} was taken.
     *
     * @return whether a queued build ended the wait
     */
    boolean await(long mark, Duration delay) throws InterruptedException {
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (monitor) {
            while (queued == mark) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                monitor.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** A build was queued: wakes the waiting loops once the surrounding transaction commits (at once without one). */
    void buildQueued() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wake();
                }
            });
        } else {
            wake();
        }
    }

    private void wake() {
        synchronized (monitor) {
            queued++;
            monitor.notifyAll();
        }
    }
}
