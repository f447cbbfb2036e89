package dev.traceflow.storage.internal;

import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import dev.traceflow.storage.internal.QueueItems.ForLoader;
import dev.traceflow.storage.internal.QueueItems.Journaled;
import dev.traceflow.storage.internal.QueueItems.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The loader thread: gathers journaled requests into transactions as {@link BatchingPolicy} says,
 * stores them with the journal position they reach, retries with back-off while the store fails
 * (the events wait in the journal), gives their room back, deletes journal segments behind it and
 * publishes {@link dev.traceflow.storage.EventsStored}. Tasks run in their place in the order.
 */
final class StoreLoader implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(StoreLoader.class);
    private static final long SLOW_LOAD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventConsumer consumer;
    private final String storageName;
    private final BlockingDeque<ForLoader> queue;
    private final BatchingPolicy policy;
    private final LoadProgress progress;
    private final QueueBudget budget;
    private final WriteQueueMeters meters;
    private final EventsStoredPublisher publisher;
    private final IngestJournal journal;
    private final Clock clock;
    private final BooleanSupplier running;
    private final BooleanSupplier journalAlive;
    private volatile String loadError;
    /** Set when a load failed during stop: from then on nothing more is loaded. */
    private volatile boolean abandoned;

    StoreLoader(EventConsumer consumer, String storageName, BlockingDeque<ForLoader> queue, BatchingPolicy policy,
                LoadProgress progress, QueueBudget budget, WriteQueueMeters meters, EventsStoredPublisher publisher,
                IngestJournal journal, Clock clock, BooleanSupplier running, BooleanSupplier journalAlive) {
        this.consumer = consumer;
        this.storageName = storageName;
        this.queue = queue;
        this.policy = policy;
        this.progress = progress;
        this.budget = budget;
        this.meters = meters;
        this.publisher = publisher;
        this.journal = journal;
        this.clock = clock;
        this.running = running;
        this.journalAlive = journalAlive;
    }

    String loadError() {
        return loadError;
    }

    @Override
    public void run() {
        List<Journaled> group = new ArrayList<>();
        while (running.getAsBoolean() || !queue.isEmpty() || journalAlive.getAsBoolean()) {
            try {
                ForLoader first = queue.poll(200, TimeUnit.MILLISECONDS);
                switch (first) {
                    case null -> {
                    }
                    case Task<?> task -> {
                        if (abandoned) {
                            task.done().completeExceptionally(new StorageException("the server is stopping with events not stored"));
                        } else {
                            task.run(consumer);
                        }
                    }
                    case Journaled journaled -> {
                        if (!abandoned) { // else it stays in the journal for the next start
                            group.add(journaled);
                            int events = gather(group, journaled.events());
                            loadWithRetry(group, events);
                        }
                    }
                }
            } catch (InterruptedException e) {
                if (!running.getAsBoolean()) {
                    continue;
                }
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                log.error("storage loader loop failed", e);
            } finally {
                group.clear();
            }
        }
    }

    /**
     * Takes what is waiting, then waits for more until the policy says the group is big enough or
     * the wait ends; a reader waiting in {@code awaitStored}, a task behind the group, or a stop
     * ends the wait at once. Returns the events in the group after cutting it.
     */
    private int gather(List<Journaled> group, int events) throws InterruptedException {
        long waitUntil = policy.gatherUntil(System.nanoTime());
        while (events < policy.maxEvents()) {
            ForLoader next = queue.peek();
            if (next instanceof Journaled j) {
                queue.poll();
                group.add(j);
                events += j.events();
                continue;
            }
            if (next != null || progress.loadNow() || !running.getAsBoolean() || policy.isEnough(events)) {
                break;
            }
            long left = waitUntil - System.nanoTime();
            if (left <= 0) {
                break;
            }
            ForLoader more = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            if (more instanceof Journaled j) {
                group.add(j);
                events += j.events();
            } else if (more != null) {
                queue.offerFirst(more); // a task: it runs after this group
                break;
            }
        }
        int kept = cut(group, events, policy, queue::offerFirst);
        policy.loaded(kept, System.nanoTime());
        return kept;
    }

    /**
     * Ends the group where the policy says, splitting one request if need be; the rest goes back
     * to the front of the queue (or of the replay's backlog) for the next transaction.
     *
     * @return the events left in the group
     */
    static int cut(List<Journaled> group, int events, BatchingPolicy policy, Consumer<Journaled> putBackFirst) {
        int keep = policy.cut(events);
        if (keep == events) {
            return events;
        }
        int before = 0;
        int i = 0;
        while (before + group.get(i).events() < keep) {
            before += group.get(i).events();
            i++;
        }
        Journaled crossing = group.get(i);
        int headEvents = keep - before;
        List<Journaled> rest = new ArrayList<>(group.subList(i + 1, group.size()));
        group.subList(i, group.size()).clear();
        if (headEvents == crossing.events()) {
            group.add(crossing);
        } else {
            group.add(crossing.head(headEvents));
            rest.addFirst(crossing.tail(headEvents));
        }
        for (Journaled j : rest.reversed()) {
            putBackFirst.accept(j);
        }
        return keep;
    }

    private void loadWithRetry(List<Journaled> group, int events) throws InterruptedException {
        long backoffMillis = 100;
        while (true) {
            try {
                load(group, events);
                return;
            } catch (StorageException e) {
                meters.loadFailures.increment();
                loadError = e.getMessage();
                if (!running.getAsBoolean()) {
                    // stopping: keep this group and everything after it in the journal. Loading a
                    // later group would move the stored position past this one and lose it.
                    abandoned = true;
                    log.error("loading {} journaled events into {} failed while stopping; they and the rest of the queue "
                            + "stay in the journal for the next start: {}", events, storageName, e.getMessage());
                    return;
                }
                log.error("loading {} journaled events into {} failed, retrying in {} ms: {}", events, storageName,
                        backoffMillis, e.getMessage());
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 5_000);
            }
        }
    }

    /**
     * Stores the group in one transaction with the journal position it reaches, then gives its
     * room back, records the progress and publishes what was stored.
     *
     * @throws StorageException when nothing was stored
     */
    void load(List<Journaled> group, int events) throws InterruptedException {
        List<PreparedEvents> batches = new ArrayList<>(group.size());
        long freed = 0;
        for (Journaled j : group) {
            batches.add(j.batch());
            freed += j.bytesFreedWhenStored();
        }
        long position = group.getLast().storedPosition();
        long start = System.nanoTime();
        WriteResult result = consumer.store(batches, position);
        // cleared before the progress is published, so whoever awaited it sees a healthy store
        loadError = null;
        long took = System.nanoTime() - start;
        meters.load.record(took, TimeUnit.NANOSECONDS);
        if (took >= SLOW_LOAD_NANOS) {
            // a stall here backs the queue up until requests wait or get 503: say where it came from
            log.warn("storing {} events in {} took {} ms", events, storageName, TimeUnit.NANOSECONDS.toMillis(took));
        } else if (log.isDebugEnabled()) {
            // its moment and length, to line up with slow answers sharing the CPU: the query benchmark
            // (LoadOverlap) reads this line and the one above, keep their wording
            log.debug("stored {} events in {} in {} ms", events, storageName, TimeUnit.NANOSECONDS.toMillis(took));
        }
        meters.loadEvents.record(events);
        budget.release(events, freed);
        EventsStoredTally tally = new EventsStoredTally();
        int offset = 0;
        for (Journaled j : group) {
            tally.add(j.appId(), j.factsOfPiece(), result.duplicates(), offset);
            offset += j.events();
        }
        progress.stored(position);
        try {
            journal.deleteLoadedSegments(position);
        } catch (IOException e) {
            log.warn("deleting loaded journal segments failed: {}", e.getMessage());
        }
        publisher.publish(tally.build(clock.instant()), position);
    }
}
