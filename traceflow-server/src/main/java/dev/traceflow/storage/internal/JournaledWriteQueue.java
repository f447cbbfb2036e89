package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import dev.traceflow.storage.EventWriteQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The write path: request threads encode their events (the storage's row bytes) and hand them
 * to the journal thread, which appends every request waiting, fsyncs once, and acknowledges them
 * all (group commit on a cheap file). The loader thread then moves what was journaled into the
 * event store in big transactions, recording the journal position with the rows.
 *
 * <p>Why two steps: the event store's commit has a large fixed cost (DuckDB: about a millisecond
 * of CPU per commit, and a checkpoint now and then that takes most of a second), so making each
 * request wait for it either caps throughput (small commits) or latency (stalls). The journal's
 * fsync is cheap and predictable; the store gets commits of tens of thousands of rows.
 *
 * <p>Bounded by events: {@link #submit} reserves room or refuses at once; room is given back when
 * the loader has stored the events. If the store fails, the loader retries with back-off and the
 * events wait in the journal (and in memory, within the bound): they are acknowledged and will be
 * stored, also across a restart.
 */
public final class JournaledWriteQueue implements EventWriteQueue, SmartLifecycle {

    private static final long SLOW_LOAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(JournaledWriteQueue.class);
    /** Most requests in one journal append, so a steady stream still gets acknowledged in slices. */
    private static final int MAX_JOURNAL_GROUP = 1024;

    /**
     * Settings; see {@code traceflow.storage.journal} in application.yml.
     *
     * @param maxLoadEvents   most events in one store transaction
     * @param loadBatchEvents the transaction size the loader aims for under sustained load (DuckDB
     *                        writes a transaction of a full row group straight to its file)
     * @param loadLinger      how long the loader waits for more events when they arrive slowly
     * @param loadMaxDelay    how long it waits for a full batch when they arrive fast enough to fill
     *                        one in that time: the longest an event waits before reads see it
     */
    public record Settings(Path dir, long segmentBytes, int capacityEvents, int maxLoadEvents, int loadBatchEvents,
                           Duration loadLinger, Duration loadMaxDelay) {

        public Settings {
            if (capacityEvents < 1 || maxLoadEvents < 1 || loadBatchEvents < 1 || loadBatchEvents > maxLoadEvents) {
                throw new IllegalArgumentException("journal settings need capacity, max load and batch events >= 1 and "
                        + "batch <= max load (got " + capacityEvents + ", " + maxLoadEvents + ", " + loadBatchEvents + ")");
            }
            if (loadLinger.isNegative() || loadMaxDelay.isNegative()) {
                throw new IllegalArgumentException("journal load-linger and load-max-delay must not be negative");
            }
        }

        /** Settings that load at once whatever is waiting, up to {@code maxLoadEvents} (tests). */
        public Settings(Path dir, long segmentBytes, int capacityEvents, int maxLoadEvents, Duration loadLinger) {
            this(dir, segmentBytes, capacityEvents, maxLoadEvents, maxLoadEvents / 4, loadLinger, loadLinger);
        }
    }

    private final EventStorage storage;
    private final EventWriter writer;
    private final Settings settings;
    private final StoredListener listener;
    private final LinkedBlockingQueue<Object> toJournal = new LinkedBlockingQueue<>();
    private final LinkedBlockingDeque<Object> toLoad = new LinkedBlockingDeque<>();
    private final AtomicInteger queuedEvents = new AtomicInteger();
    private final Object progress = new Object();
    private final Timer fsyncTimer;
    private final Timer loadTimer;
    private final DistributionSummary loadSize;
    private final Counter refused;
    private final Counter loadFailures;
    private final Counter admissionWaits;
    private IngestJournal journal;
    private Thread journalThread;
    private Thread loaderThread;
    private volatile boolean accepting;
    private volatile boolean running;
    /** Position of the last record journaled (acknowledged) and of the last one stored. */
    private volatile long journaledPosition = -1;
    private volatile long storedPosition = -1;
    private volatile boolean loadNow;
    private volatile String loadError;
    /** Events per second that reached the loader over the last window of at least a second; decides how long it gathers. */
    private double arrivalRate;
    private long rateWindowStart = System.nanoTime();
    private long rateWindowEvents;
    /** Set when a load failed during stop: from then on nothing more is loaded. */
    private volatile boolean abandoned;

    public JournaledWriteQueue(EventStorage storage, Settings settings, StoredListener listener, MeterRegistry registry) {
        this.storage = storage;
        this.writer = storage.writer();
        this.settings = settings;
        this.listener = listener;
        Gauge.builder("traceflow.storage.queue.events", queuedEvents, AtomicInteger::get)
                .description("Events accepted or waiting for the journal, not yet in the event store").register(registry);
        Gauge.builder("traceflow.storage.queue.capacity.events", settings::capacityEvents)
                .description("Most events the queue holds before ingest answers 503").register(registry);
        Gauge.builder("traceflow.storage.journal.bytes", this, q -> q.journal == null ? 0 : q.journal.diskBytes())
                .description("Bytes in the ingest journal's segment files").register(registry);
        this.fsyncTimer = Timer.builder("traceflow.storage.journal.append")
                .description("Time to append and fsync one group of requests to the journal")
                .publishPercentileHistogram().register(registry);
        this.loadTimer = Timer.builder("traceflow.storage.commit").description("Time to load one group into the event store")
                .publishPercentileHistogram().register(registry);
        this.loadSize = DistributionSummary.builder("traceflow.storage.commit.events")
                .description("Events per event-store transaction").register(registry);
        this.refused = Counter.builder("traceflow.storage.queue.refused")
                .description("Requests refused because the queue was full").register(registry);
        this.loadFailures = Counter.builder("traceflow.storage.load.failures")
                .description("Event-store transactions that failed and were retried").register(registry);
        this.admissionWaits = Counter.builder("traceflow.storage.queue.admission.waits")
                .description("Requests that waited before being read because the queue was more than half full").register(registry);
    }

    @Override
    public CompletableFuture<Void> submit(String appId, List<Event> events) {
        if (!accepting) {
            throw new QueueFullException("the server is shutting down");
        }
        int n = events.size();
        while (true) {
            int current = queuedEvents.get();
            if (current + n > settings.capacityEvents() && current > 0) {
                refused.increment();
                throw new QueueFullException("the storage queue is full (" + current + " events waiting)");
            }
            if (queuedEvents.compareAndSet(current, current + n)) {
                break;
            }
        }
        byte[] batch;
        try {
            batch = writer.encode(events);
        } catch (RuntimeException e) {
            queuedEvents.addAndGet(-n);
            throw e;
        }
        Pending pending = new Pending(new IngestJournal.Entry(appId, n, batch), new CompletableFuture<>());
        toJournal.add(pending);
        return pending.done;
    }

    @Override
    public <T> CompletableFuture<T> onWriter(Function<EventWriter, T> task) {
        Task<T> t = new Task<>(task, new CompletableFuture<>());
        // through the journal thread, so the task runs after every event acknowledged before it
        toJournal.add(t);
        return t.done;
    }

    @Override
    public boolean awaitStored(Duration timeout) throws InterruptedException {
        long target = journaledPosition;
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (storedPosition < target) {
                loadNow = true;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return true;
    }

    @Override
    public boolean awaitRoom(Duration maxWait) throws InterruptedException {
        int highWater = settings.capacityEvents() / 2;
        if (queuedEvents.get() <= highWater) {
            return true;
        }
        admissionWaits.increment();
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (progress) {
            while (queuedEvents.get() > highWater) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !accepting) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return true;
    }

    @Override
    public int queuedEvents() {
        return queuedEvents.get();
    }

    @Override
    public String loadError() {
        return loadError;
    }

    // --- journal thread ---------------------------------------------------------------------

    private void journalLoop() {
        List<Pending> group = new ArrayList<>();
        while (running || !toJournal.isEmpty()) {
            try {
                Object first = toJournal.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                Object next = first;
                int taken = 0;
                while (next != null) {
                    if (next instanceof Task<?>) {
                        appendGroup(group);
                        toLoad.add(next);
                    } else {
                        group.add((Pending) next);
                    }
                    next = ++taken < MAX_JOURNAL_GROUP ? toJournal.poll() : null;
                }
                appendGroup(group);
            } catch (InterruptedException e) {
                if (!running) {
                    continue;
                }
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                log.error("journal loop failed", e);
            }
        }
    }

    private void appendGroup(List<Pending> group) {
        if (group.isEmpty()) {
            return;
        }
        List<IngestJournal.Entry> entries = new ArrayList<>(group.size());
        for (Pending p : group) {
            entries.add(p.entry);
        }
        long start = System.nanoTime();
        try {
            long recordStart = journal.end();
            long[] positions = journal.append(entries);
            fsyncTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            journaledPosition = positions[positions.length - 1];
            for (int i = 0; i < group.size(); i++) {
                toLoad.add(Journaled.whole(group.get(i).entry, recordStart, positions[i]));
                recordStart = positions[i];
            }
            for (Pending p : group) {
                p.done.complete(null);
            }
        } catch (IOException | RuntimeException e) {
            log.error("appending {} requests to the ingest journal failed: {}", group.size(), e.getMessage());
            StorageException failure = new StorageException("the ingest journal could not be written: " + e.getMessage(), e);
            for (Pending p : group) {
                queuedEvents.addAndGet(-p.entry.events());
                p.done.completeExceptionally(failure);
            }
        } finally {
            group.clear();
        }
    }

    // --- loader thread ------------------------------------------------------------------------

    private void loaderLoop() {
        List<Journaled> group = new ArrayList<>();
        while (running || !toLoad.isEmpty() || journalThread.isAlive()) {
            try {
                Object first = toLoad.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (first instanceof Task<?> task) {
                    if (abandoned) {
                        task.done.completeExceptionally(new StorageException("the server is stopping with events not stored"));
                    } else {
                        task.run(writer);
                    }
                    continue;
                }
                if (abandoned) {
                    continue; // stays in the journal for the next start
                }
                group.add((Journaled) first);
                int events = gather(group, ((Journaled) first).events());
                loadWithRetry(group, events);
            } catch (InterruptedException e) {
                if (!running) {
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
     * Takes what is waiting, then waits for more until the group reaches the batch size or the
     * wait ends. The store's cost per event falls steeply once a transaction fills a row group
     * (measured with DuckDB: 5,000-row commits ~100k rows/s plus checkpoints that block it for
     * seconds, full 30,720-row groups ~160-200k rows/s, written to the file without the write-ahead
     * log and so without checkpoints), so when events arrive fast enough to fill a batch within
     * {@code loadMaxDelay} the loader waits that long; when they arrive slowly it waits only
     * {@code loadLinger}, as there is little to save. A reader waiting in {@link #awaitStored}
     * ends the wait at once.
     */
    private int gather(List<Journaled> group, int events) throws InterruptedException {
        long start = System.nanoTime();
        boolean fast = arrivalRate * settings.loadMaxDelay().toNanos() / 1e9 >= settings.loadBatchEvents();
        long waitUntil = start + (fast ? settings.loadMaxDelay() : settings.loadLinger()).toNanos();
        while (events < settings.maxLoadEvents()) {
            Object next = toLoad.peek();
            if (next instanceof Journaled j) {
                toLoad.poll();
                group.add(j);
                events += j.events();
                continue;
            }
            if (next != null || loadNow || !running || events >= settings.loadBatchEvents()) {
                break; // a task waits behind the group, a reader waits, or the group is big enough
            }
            long left = waitUntil - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Object more = toLoad.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            if (more instanceof Journaled j) {
                group.add(j);
                events += j.events();
            } else if (more != null) {
                // a task: keep the order, it runs after this group
                toLoad.offerFirst(more);
                break;
            }
        }
        events = cutAtRowGroups(group, events, toLoad::offerFirst);
        // measured over at least a second, idle time included, so a burst after a quiet spell does
        // not switch to long waits
        rateWindowEvents += events;
        long now = System.nanoTime();
        if (now - rateWindowStart >= TimeUnit.SECONDS.toNanos(1)) {
            arrivalRate = rateWindowEvents / ((now - rateWindowStart) / 1e9);
            rateWindowStart = now;
            rateWindowEvents = 0;
        }
        return events;
    }

    /**
     * Ends a group of at least one batch on a whole number of batches ({@code loadBatchEvents},
     * DuckDB's row group), splitting one request if need be; the rest goes back to the front of
     * the queue (or of the replay's backlog) for the next transaction. Why: a transaction of whole row groups goes straight to
     * DuckDB's file, but one that leaves a part-filled row group behind makes the next small
     * (write-ahead-logged) commit append into it, and the checkpoint after that rewrites it and
     * more. Measured, DuckDB alone: 15 rounds of a 98,500-row commit (3 row groups + 6,340 rows)
     * and a 5,000-row commit ended in a 4.5-7.7 s checkpoint; with 92,160-row commits (3 row
     * groups) 0.7 s. Even a 50-row remainder cost 4.6 s. In the server such a checkpoint blocked
     * the loader for 3-8 s under half load.
     */
    private int cutAtRowGroups(List<Journaled> group, int events, java.util.function.Consumer<Journaled> putBackFirst) {
        int batch = settings.loadBatchEvents();
        int keep = events / batch * batch;
        if (keep == 0 || keep == events) {
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
                loadFailures.increment();
                loadError = e.getMessage();
                if (!running) {
                    // stopping: keep this group and everything after it in the journal. Loading a
                    // later group would move the stored position past this one and lose it.
                    abandoned = true;
                    log.error("loading {} journaled events into {} failed while stopping; they and the rest of the queue "
                            + "stay in the journal for the next start: {}", events, storage.name(), e.getMessage());
                    return;
                }
                log.error("loading {} journaled events into {} failed, retrying in {} ms: {}", events, storage.name(),
                        backoffMillis, e.getMessage());
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 5_000);
            }
        }
    }

    private void load(List<Journaled> group, int events) {
        List<byte[]> batches = new ArrayList<>(group.size());
        for (Journaled j : group) {
            batches.add(j.isWhole() ? j.entry.batch() : writer.slice(j.entry.batch(), j.from, j.to));
        }
        long position = group.getLast().storedPosition();
        long start = System.nanoTime();
        WriteResult result = writer.writeEncoded(batches, position);
        // cleared before markStored publishes the position, so whoever awaited it sees a healthy store
        loadError = null;
        long took = System.nanoTime() - start;
        loadTimer.record(took, TimeUnit.NANOSECONDS);
        if (took >= SLOW_LOAD_NANOS) {
            // a stall here backs the queue up until requests wait or get 503: say where it came from
            log.warn("storing {} events in {} took {} ms", events, storage.name(), TimeUnit.NANOSECONDS.toMillis(took));
        }
        loadSize.record(events);
        queuedEvents.addAndGet(-events);
        int offset = 0;
        for (Journaled j : group) {
            int size = j.events();
            BitSet dup = result.duplicates().get(offset, offset + size);
            tell(j.entry.appId(), size - dup.cardinality(), dup.cardinality());
            offset += size;
        }
        markStored(position);
    }

    private void markStored(long position) {
        synchronized (progress) {
            storedPosition = position;
            if (storedPosition >= journaledPosition) {
                loadNow = false;
            }
            progress.notifyAll();
        }
        try {
            journal.deleteLoadedSegments(position);
        } catch (IOException e) {
            log.warn("deleting loaded journal segments failed: {}", e.getMessage());
        }
    }

    private void tell(String appId, int stored, int duplicates) {
        try {
            listener.stored(appId, stored, duplicates);
        } catch (RuntimeException e) {
            log.warn("a stored-events listener failed: {}", e.getMessage());
        }
    }

    // --- lifecycle ----------------------------------------------------------------------------

    /** Opens the journal, loads what a previous run acknowledged but did not store, then starts the threads. */
    @Override
    public void start() {
        long stored = writer.storedPosition();
        List<IngestJournal.Replayed> backlog = new ArrayList<>();
        try {
            journal = IngestJournal.open(settings.dir(), settings.segmentBytes(), stored, backlog::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ingest journal in " + settings.dir() + ": " + e.getMessage(), e);
        }
        journaledPosition = Math.max(stored, journal.end());
        storedPosition = stored;
        if (!backlog.isEmpty()) {
            replay(backlog, stored);
        }
        storedPosition = journaledPosition;
        running = true;
        accepting = true;
        journalThread = Thread.ofPlatform().name("traceflow-journal").start(this::journalLoop);
        loaderThread = Thread.ofPlatform().name("traceflow-storage-writer").start(this::loaderLoop);
    }

    private void replay(List<IngestJournal.Replayed> backlog, long stored) {
        List<Journaled> pieces = new ArrayList<>(backlog.size());
        for (IngestJournal.Replayed r : backlog) {
            // the store may hold the first events of one request already (see Journaled)
            int alreadyStored = stored > r.start() && stored < r.position() ? (int) (stored - r.start()) : 0;
            if (alreadyStored > 0) {
                log.info("The first {} of {} events of the oldest request waiting were stored before the stop; loading the rest",
                        alreadyStored, r.entry().events());
            }
            pieces.add(new Journaled(r.entry(), r.start(), r.position(), alreadyStored, r.entry().events()));
        }
        int events = pieces.stream().mapToInt(Journaled::events).sum();
        log.info("Loading {} events of {} requests acknowledged before the last stop but not yet stored", events, backlog.size());
        java.util.ArrayDeque<Journaled> waiting = new java.util.ArrayDeque<>(pieces);
        while (!waiting.isEmpty()) {
            List<Journaled> group = new ArrayList<>();
            int groupEvents = 0;
            while (!waiting.isEmpty() && groupEvents < settings.maxLoadEvents()) {
                Journaled j = waiting.pollFirst();
                group.add(j);
                groupEvents += j.events();
            }
            groupEvents = cutAtRowGroups(group, groupEvents, waiting::addFirst);
            queuedEvents.addAndGet(groupEvents); // load() gives it back
            load(group, groupEvents);
        }
    }

    /** Stops taking work, journals and stores everything already accepted, then returns (graceful shutdown). */
    @Override
    public void stop() {
        accepting = false;
        running = false;
        loadNow = true;
        join(journalThread);
        join(loaderThread);
        try {
            if (journal != null) {
                if (storedPosition >= journal.end()) {
                    journal.deleteLoadedSegments(storedPosition);
                }
                journal.close();
            }
        } catch (IOException e) {
            log.warn("closing the ingest journal failed: {}", e.getMessage());
        }
        log.info("storage writer stopped; {} events not stored (they stay in the journal for the next start)", queuedEvents.get());
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

    private record Pending(IngestJournal.Entry entry, CompletableFuture<Void> done) {
    }

    /**
     * Events {@code from} to {@code to} of a journaled request: usually all of them, but a
     * transaction may end inside a request ({@link #cutAtRowGroups}). The store then records as
     * its position the record's start plus the events stored so far, a position strictly inside
     * the record (a record takes more bytes than it has events), which a replay after a crash
     * reads as "skip that many events of this request".
     */
    private record Journaled(IngestJournal.Entry entry, long start, long position, int from, int to) {

        static Journaled whole(IngestJournal.Entry entry, long start, long position) {
            return new Journaled(entry, start, position, 0, entry.events());
        }

        int events() {
            return to - from;
        }

        boolean isWhole() {
            return from == 0 && to == entry.events();
        }

        /** Where the store is once this piece is stored: the record's end, or inside it. */
        long storedPosition() {
            return to == entry.events() ? position : start + to;
        }

        Journaled head(int events) {
            return new Journaled(entry, start, position, from, from + events);
        }

        Journaled tail(int headEvents) {
            return new Journaled(entry, start, position, from + headEvents, to);
        }
    }

    private record Task<T>(Function<EventWriter, T> task, CompletableFuture<T> done) {
        void run(EventWriter writer) {
            try {
                done.complete(task.apply(writer));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
