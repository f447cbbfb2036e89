package dev.traceflow.realtime.internal.broker;

/**
 * A reliable event sent to one subscription and not yet acknowledged. Guarded by its connection's lock.
 */
final class Pending {

    /** {@link #dueAt} while a send of it waits in the queue: not due until it has gone out. */
    static final long QUEUED = Long.MAX_VALUE;

    private final PublishedEvent event;
    /** sends so far, the first included */
    int sends = 1;
    /** when it is sent again unless acknowledged first (epoch ms), or {@link #QUEUED} */
    long dueAt;
    /** acknowledged or given up: a queued repeat of it is not sent */
    boolean settled;

    Pending(PublishedEvent event, long dueAt) {
        this.event = event;
        this.dueAt = dueAt;
    }

    PublishedEvent event() {
        return event;
    }
}
