package dev.traceflow.support;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend (by default the in-memory reference) whose stores can be held at a gate, fail a
 * number of times or from some commit on, and report their sizes; for the tests of the write path.
 */
public final class GatedStorage implements EventStorage, EventConsumer {

    public final EventStorage delegate;
    /** Counted down when a store call arrives (at the gate). */
    public volatile CountDownLatch entered = new CountDownLatch(1);
    /** The next this many store calls fail. */
    public final AtomicInteger failures = new AtomicInteger();
    /** Events of each successful store call, in order. */
    public final List<Integer> commitSizes = new CopyOnWriteArrayList<>();
    /** Store calls fail once this many succeeded. */
    public volatile int failAfterCommits = Integer.MAX_VALUE;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final int batchSizeHint;

    public GatedStorage(EventStorage delegate, int batchSizeHint) {
        this.delegate = delegate;
        this.batchSizeHint = batchSizeHint;
    }

    public GatedStorage(EventStorage delegate) {
        this(delegate, delegate.consumer().batchSizeHint());
    }

    /** Store calls wait (up to 10 s) until {@link #openGate}. */
    public void closeGate() {
        entered = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    public void openGate() {
        gate.countDown();
    }

    @Override
    public String name() {
        return "gated";
    }

    @Override
    public EventConsumer consumer() {
        return this;
    }

    @Override
    public EventCounts counts() {
        return delegate.counts();
    }

    @Override
    public void check() {
        delegate.check();
    }

    @Override
    public void close() {
        // the delegate belongs to the test
    }

    @Override
    public int batchSizeHint() {
        return batchSizeHint;
    }

    @Override
    public PreparedEvents prepare(List<Event> events) {
        return delegate.consumer().prepare(events);
    }

    @Override
    public WriteResult store(List<PreparedEvents> batches, long position) {
        entered.countDown();
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0 || commitSizes.size() >= failAfterCommits) {
            throw new StorageException("disk full");
        }
        WriteResult result = delegate.consumer().store(batches, position);
        commitSizes.add(result.stored() + result.duplicates().cardinality());
        return result;
    }

    @Override
    public long storedPosition() {
        return delegate.consumer().storedPosition();
    }

    @Override
    public long deleteApp(String appId) {
        return delegate.consumer().deleteApp(appId);
    }

    @Override
    public long deleteOlderThan(String appId, Instant cutoff) {
        return delegate.consumer().deleteOlderThan(appId, cutoff);
    }
}
