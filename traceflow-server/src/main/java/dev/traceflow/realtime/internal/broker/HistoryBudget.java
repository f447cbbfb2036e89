package dev.traceflow.realtime.internal.broker;

import java.util.concurrent.atomic.AtomicLong;

/** The bytes every topic's history holds together, against one limit ({@link BrokerSettings#historyMaxBytes()}). */
final class HistoryBudget {

    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();

    HistoryBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void add(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    boolean exceeded() {
        return used.get() > maxBytes;
    }

    long usedBytes() {
        return used.get();
    }
}
