package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.storage.EventWriteQueue;
import dev.traceflow.storage.EventsStored;
import dev.traceflow.storage.internal.QueueItems.ForLoader;
import dev.traceflow.storage.internal.QueueItems.Pending;
import dev.traceflow.storage.internal.QueueItems.Task;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The write path, put together: request threads encode their events for the journal and prepare
 * them for the backend, and hand them to the {@link JournalAppender}, which acknowledges them once
 * fsynced; the {@link StoreLoader} then moves them into the event store in big transactions
 * ({@link BatchingPolicy}), recording the journal position with them; at start
 * {@link JournalReplay} stores what a previous run acknowledged but did not store.
 *
 * <p>Why two steps: an event store's commit has a large fixed cost (DuckDB's, and its checkpoints,
 * see README "How events are stored"), so making each request wait for it either caps throughput
 * (small commits) or latency (stalls). The journal's fsync is cheap and predictable; the store
 * gets commits of tens of thousands of events.
 *
 * <p>Bounded by events and by bytes of heap ({@link QueueBudget}): {@link #submit} reserves room
 * or refuses at once; room is given back when the loader has stored the events. If the store fails, the loader retries
 * with back-off and the events wait in the journal (and in memory, within the bound): they are
 * acknowledged and will be stored, also across a restart.
 */
public final class JournaledWriteQueue implements EventWriteQueue, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JournaledWriteQueue.class);
    /** Loads whose EventsStored may wait for slow listeners before the loader waits too. */
    private static final int PUBLISH_BACKLOG = 4096;
    /**
     * Stored events the queued {@link EventsStored} signals may carry (about 100 bytes of
     * {@link EventsStored.SessionEvent} each): a few seconds of the highest ingest rate measured.
     */
    private static final long PUBLISH_BACKLOG_EVENTS = 1_000_000;

    /**
     * Settings; see {@code traceflow.storage} in {@code TraceFlowProperties}.
     *
     * @param capacityEvents events accepted but not yet stored before requests get 503
     * @param capacityBytes  heap those events may take (as {@link QueueBudget#heapBytes} estimates
     *                       it) before requests get 503
     * @param maxLoadEvents  most events in one store transaction
     * @param loadLinger     how long the loader waits for more events when they arrive slowly
     * @param loadMaxDelay   how long it waits for a full batch (the backend's batch size hint) when
     *                       they arrive fast enough to fill one in that time: the longest an event
     *                       waits before reads see it
     */
    public record Settings(Path dir, long segmentBytes, int capacityEvents, long capacityBytes, int maxLoadEvents,
                           Duration loadLinger, Duration loadMaxDelay) {

        public Settings {
            if (capacityEvents < 1 || maxLoadEvents < 1) {
                throw new IllegalArgumentException("the storage queue needs a capacity and a max load of at least 1 event (got "
                        + capacityEvents + ", " + maxLoadEvents + ")");
            }
            if (capacityBytes < 1) {
                throw new IllegalArgumentException("the storage queue needs a capacity of at least 1 byte (got " + capacityBytes + ")");
            }
            if (loadLinger.isNegative() || loadMaxDelay.isNegative()) {
                throw new IllegalArgumentException("the loader's linger and max delay must not be negative");
            }
        }
    }

    private final EventStorage storage;
    private final EventConsumer consumer;
    private final Settings settings;
    private final Consumer<EventsStored> listener;
    private final Clock clock;
    private final QueueBudget budget;
    private final LoadProgress progress = new LoadProgress();
    private final WriteQueueMeters meters;
    private final LinkedBlockingQueue<Object> toJournal = new LinkedBlockingQueue<>();
    private final LinkedBlockingDeque<ForLoader> toLoad = new LinkedBlockingDeque<>();
    private final JournalFiles files;
    private IngestJournal journal;
    private EventsStoredPublisher publisher;
    private StoreLoader loader;
    private Thread journalThread;
    private Thread loaderThread;
    private volatile boolean accepting;
    private volatile boolean running;

    /** @param listener told, on a thread of its own, what each load stored */
    public JournaledWriteQueue(EventStorage storage, Settings settings, Consumer<EventsStored> listener, MeterRegistry registry,
                               Clock clock) {
        this(storage, settings, listener, registry, clock, null);
    }

    /** @param files the journal's files; null for the real ones in {@code settings.dir()} (tests pass a disk of their own) */
    JournaledWriteQueue(EventStorage storage, Settings settings, Consumer<EventsStored> listener, MeterRegistry registry,
                        Clock clock, JournalFiles files) {
        this.files = files;
        this.storage = storage;
        this.consumer = storage.consumer();
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.budget = new QueueBudget(settings.capacityEvents(), settings.capacityBytes());
        this.meters = new WriteQueueMeters(registry, budget, () -> journal == null ? 0L : journal.diskBytes(),
                () -> publisher == null ? 0 : publisher.backlog(), () -> publisher == null ? 0L : publisher.queuedEvents());
    }

    @Override
    public CompletableFuture<Void> submit(String appId, List<Event> events) {
        if (!accepting) {
            throw new QueueFullException("the server is shutting down");
        }
        int n = events.size();
        // encoded first: its size is what the events are charged (the prepared form, made after
        // the reservation, is what the bound keeps from piling up)
        byte[] journalBytes = JournalEventCodec.encode(events);
        long heapBytes = QueueBudget.heapBytes(n, journalBytes.length);
        switch (budget.tryReserve(n, heapBytes)) {
            case TAKEN -> {
            }
            case FULL_OF_EVENTS -> {
                meters.refusedFullOfEvents.increment();
                throw new QueueFullException("the storage queue is full (" + budget.queuedEvents() + " events waiting)");
            }
            case FULL_OF_BYTES -> {
                meters.refusedFullOfBytes.increment();
                throw new QueueFullException("the storage queue is full (" + budget.queuedBytes() + " bytes of events waiting)");
            }
        }
        Pending pending;
        try {
            PreparedEvents prepared = consumer.prepare(events);
            pending = new Pending(appId, n, heapBytes, journalBytes, prepared, StoredFacts.of(events), new CompletableFuture<>());
        } catch (RuntimeException e) {
            budget.release(n, heapBytes);
            throw e;
        }
        toJournal.add(pending);
        return pending.done();
    }

    @Override
    public CompletableFuture<Long> deleteApp(String appId) {
        return onConsumer(c -> c.deleteApp(appId));
    }

    @Override
    public CompletableFuture<Long> deleteOlderThan(String appId, Instant cutoff) {
        return onConsumer(c -> c.deleteOlderThan(appId, cutoff));
    }

    @Override
    public CompletableFuture<Long> deleteUser(String appId, String userId, String anonymousId) {
        return onConsumer(c -> c.deleteUser(appId, userId, anonymousId));
    }

    private <T> CompletableFuture<T> onConsumer(Function<EventConsumer, T> work) {
        Task<T> task = new Task<>(work, new CompletableFuture<>());
        // through the journal thread, so the task runs after every event acknowledged before it
        toJournal.add(task);
        return task.done();
    }

    @Override
    public boolean awaitStored(Duration timeout) throws InterruptedException {
        return progress.awaitStored(timeout);
    }

    @Override
    public boolean awaitRoom(Duration maxWait) throws InterruptedException {
        if (!budget.isMoreThanHalfFull()) {
            return true;
        }
        meters.admissionWaits.increment();
        return budget.awaitBelowHalf(maxWait, () -> accepting);
    }

    @Override
    public int queuedEvents() {
        return budget.queuedEvents();
    }

    /** Heap held by the queued events, as {@link QueueBudget#heapBytes} estimates it. */
    long queuedBytes() {
        return budget.queuedBytes();
    }

    @Override
    public String loadError() {
        return loader == null ? null : loader.loadError();
    }

    /** Opens the journal, stores what a previous run acknowledged but did not store, then starts the threads. */
    @Override
    public void start() {
        long stored = consumer.storedPosition();
        List<IngestJournal.Replayed> backlog = new ArrayList<>();
        try {
            JournalFiles journalFiles = files != null ? files : new FileJournalFiles(settings.dir());
            journal = IngestJournal.open(journalFiles, settings.segmentBytes(), stored, backlog::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ingest journal in " + settings.dir() + ": " + e.getMessage(), e);
        }
        JournalReplay.checkFormats(backlog, settings.dir());
        progress.start(Math.max(stored, journal.end()), stored);
        publisher = new EventsStoredPublisher(listener, progress, PUBLISH_BACKLOG, PUBLISH_BACKLOG_EVENTS, meters.publishWaits);
        BatchingPolicy policy = new BatchingPolicy(settings.maxLoadEvents(), consumer.batchSizeHint(), settings.loadLinger(),
                settings.loadMaxDelay(), System.nanoTime());
        loader = new StoreLoader(consumer, storage.name(), toLoad, policy, progress, budget, meters, publisher, journal, clock,
                () -> running, () -> journalThread != null && journalThread.isAlive());
        if (!backlog.isEmpty()) {
            try {
                JournalReplay.replay(backlog, stored, consumer, loader, policy, budget);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while storing the journal's backlog", e);
            }
        }
        progress.stored(progress.journaled());
        try {
            publisher.publish(null, progress.journaled());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = true;
        accepting = true;
        JournalAppender appender = new JournalAppender(journal, toJournal, toLoad::add, progress, budget, meters, () -> running);
        journalThread = Thread.ofPlatform().name("traceflow-journal").start(appender);
        loaderThread = Thread.ofPlatform().name("traceflow-storage-writer").start(loader);
    }

    /** Stops taking work, journals and stores everything already accepted, then returns (graceful shutdown). */
    @Override
    public void stop() {
        accepting = false;
        running = false;
        progress.loadNow(true);
        join(journalThread);
        join(loaderThread);
        if (publisher != null) {
            publisher.close(); // delivers what was stored before listeners stop counting
        }
        try {
            if (journal != null) {
                if (progress.stored() >= journal.end()) {
                    journal.deleteLoadedSegments(progress.stored());
                }
                journal.close();
            }
        } catch (IOException e) {
            log.warn("closing the ingest journal failed: {}", e.getMessage());
        }
        log.info("storage writer stopped; {} events not stored (they stay in the journal for the next start)", budget.queuedEvents());
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stop after the web server: Spring stops higher phases first, and Boot's graceful shutdown
     * (DEFAULT_PHASE - 1024) and web server stop (DEFAULT_PHASE - 2048) must let in-flight
     * requests get their acknowledgement before the queue drains and exits.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
