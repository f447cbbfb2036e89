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

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Writer threads, each owning one storage writer (DuckDB's Appender belongs to one thread),
 * drain one queue. A thread takes every request waiting, up to {@code maxGroupEvents}, and
 * commits them together: under load a commit carries many requests, idle it carries one, so
 * latency stays low at low rates and throughput scales at high ones. With two threads one can
 * append while the other commits.
 *
 * <p>Bounded by events, not requests: {@link #submit} reserves room for the request's events
 * or refuses at once, so memory is capped at about {@code capacityEvents} events.
 */
public final class GroupCommitWriter implements EventWriteQueue, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final EventStorage storage;
    private final int writerThreads;
    private final int capacityEvents;
    private final int maxGroupEvents;
    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedEvents = new AtomicInteger();
    private final Timer commitTimer;
    private final DistributionSummary groupSize;
    private final Counter refused;
    private volatile boolean accepting;
    private volatile boolean running;
    private final List<Thread> threads = new ArrayList<>();

    public GroupCommitWriter(EventStorage storage, int capacityEvents, int maxGroupEvents, MeterRegistry registry) {
        this(storage, 1, capacityEvents, maxGroupEvents, registry);
    }

    /**
     * @param writerThreads how many writer threads (each with its own {@link EventWriter} from
     *                      {@link EventStorage#writers}) drain the queue; fewer when the backend
     *                      offers fewer writers
     */
    public GroupCommitWriter(EventStorage storage, int writerThreads, int capacityEvents, int maxGroupEvents, MeterRegistry registry) {
        this.storage = storage;
        this.writerThreads = Math.max(1, writerThreads);
        this.capacityEvents = capacityEvents;
        this.maxGroupEvents = maxGroupEvents;
        Gauge.builder("traceflow.storage.queue.events", queuedEvents, AtomicInteger::get)
                .description("Events waiting for the storage writer").register(registry);
        Gauge.builder("traceflow.storage.queue.capacity.events", () -> capacityEvents)
                .description("Most events the storage queue holds").register(registry);
        this.commitTimer = Timer.builder("traceflow.storage.commit").description("Time to append and commit one group")
                .publishPercentileHistogram().register(registry);
        this.groupSize = DistributionSummary.builder("traceflow.storage.commit.events")
                .description("Events per committed group").register(registry);
        this.refused = Counter.builder("traceflow.storage.queue.refused")
                .description("Requests refused because the storage queue was full").register(registry);
    }

    @Override
    public CompletableFuture<WriteResult> submit(List<Event> events) {
        if (!accepting) {
            throw new QueueFullException("the server is shutting down");
        }
        int n = events.size();
        while (true) {
            int current = queuedEvents.get();
            if (current + n > capacityEvents && current > 0) {
                refused.increment();
                throw new QueueFullException("the storage queue is full (" + current + " events waiting)");
            }
            if (queuedEvents.compareAndSet(current, current + n)) {
                break;
            }
        }
        try {
            storage.writer().prepare(events);
        } catch (RuntimeException e) {
            queuedEvents.addAndGet(-n);
            throw e;
        }
        Write write = new Write(events, new CompletableFuture<>());
        queue.add(write);
        return write.done;
    }

    @Override
    public <T> CompletableFuture<T> onWriter(Function<EventWriter, T> task) {
        Task<T> t = new Task<>(task, new CompletableFuture<>());
        queue.add(t);
        return t.done;
    }

    @Override
    public int queuedEvents() {
        return queuedEvents.get();
    }

    private void loop(EventWriter writer) {
        List<Write> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Work first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (first instanceof Task<?> task) {
                    task.run(writer);
                    continue;
                }
                group.add((Write) first);
                int events = ((Write) first).events.size();
                // take what is already waiting, without waiting for more: no added latency
                while (events < maxGroupEvents && queue.peek() instanceof Write next) {
                    queue.poll();
                    group.add(next);
                    events += next.events.size();
                }
                commit(writer, group, events);
            } catch (InterruptedException e) {
                if (!running) {
                    continue; // drain what is left before exiting
                }
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                log.error("storage writer loop failed", e);
            } finally {
                group.clear();
            }
        }
    }

    private void commit(EventWriter writer, List<Write> group, int eventCount) {
        List<Event> all;
        if (group.size() == 1) {
            all = group.getFirst().events;
        } else {
            all = new ArrayList<>(eventCount);
            for (Write w : group) {
                all.addAll(w.events);
            }
        }
        long start = System.nanoTime();
        try {
            WriteResult result = writer.write(all);
            commitTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            groupSize.record(eventCount);
            queuedEvents.addAndGet(-eventCount);
            int offset = 0;
            for (Write w : group) {
                int size = w.events.size();
                BitSet dup = result.duplicates().get(offset, offset + size);
                w.done.complete(new WriteResult(size - dup.cardinality(), dup));
                offset += size;
            }
        } catch (RuntimeException e) {
            queuedEvents.addAndGet(-eventCount);
            StorageException failure = e instanceof StorageException se ? se : new StorageException(e.getMessage(), e);
            log.error("commit of {} events from {} requests failed: {}", eventCount, group.size(), e.getMessage());
            for (Write w : group) {
                w.done.completeExceptionally(failure);
            }
        }
    }

    @Override
    public void start() {
        running = true;
        accepting = true;
        List<EventWriter> writers = storage.writers(writerThreads);
        for (int i = 0; i < writers.size(); i++) {
            EventWriter writer = writers.get(i);
            threads.add(Thread.ofPlatform().name(i == 0 ? "traceflow-storage-writer" : "traceflow-storage-writer-" + i)
                    .start(() -> loop(writer)));
        }
    }

    /** Stops taking work, commits everything already queued, then returns (graceful shutdown). */
    @Override
    public void stop() {
        accepting = false;
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
        log.info("storage writer stopped; {} events left unqueued", queuedEvents.get());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stop after the web server: Spring stops higher phases first, and Boot's graceful shutdown
     * (DEFAULT_PHASE - 1024) and web server stop (DEFAULT_PHASE - 2048) must let in-flight
     * requests get their commits before the writer drains and exits.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private sealed interface Work permits Write, Task {
    }

    private record Write(List<Event> events, CompletableFuture<WriteResult> done) implements Work {
    }

    private record Task<T>(Function<EventWriter, T> task, CompletableFuture<T> done) implements Work {
        void run(EventWriter writer) {
            try {
                done.complete(task.apply(writer));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
