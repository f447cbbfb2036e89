package dev.traceflow.storage.internal;

import dev.traceflow.core.storage.StorageException;
import dev.traceflow.storage.internal.QueueItems.ForLoader;
import dev.traceflow.storage.internal.QueueItems.Journaled;
import dev.traceflow.storage.internal.QueueItems.Pending;
import dev.traceflow.storage.internal.QueueItems.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The journal thread: appends every request waiting in one write, fsyncs once, and acknowledges
 * them all (group commit on a cheap file), then hands them to the loader in order. A task waiting
 * among the requests goes to the loader after the requests before it, so it runs after them.
 */
final class JournalAppender implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(JournalAppender.class);
    /** Most requests in one journal append, so a steady stream still gets acknowledged in slices. */
    private static final int MAX_GROUP = 1024;

    private final IngestJournal journal;
    private final BlockingQueue<Object> incoming;
    private final Consumer<ForLoader> toLoader;
    private final LoadProgress progress;
    private final QueueBudget budget;
    private final WriteQueueMeters meters;
    private final BooleanSupplier running;

    JournalAppender(IngestJournal journal, BlockingQueue<Object> incoming, Consumer<ForLoader> toLoader, LoadProgress progress,
                    QueueBudget budget, WriteQueueMeters meters, BooleanSupplier running) {
        this.journal = journal;
        this.incoming = incoming;
        this.toLoader = toLoader;
        this.progress = progress;
        this.budget = budget;
        this.meters = meters;
        this.running = running;
    }

    @Override
    public void run() {
        List<Pending> group = new ArrayList<>();
        while (running.getAsBoolean() || !incoming.isEmpty()) {
            try {
                Object next = incoming.poll(200, TimeUnit.MILLISECONDS);
                int taken = 0;
                while (next != null) {
                    if (next instanceof Task<?> task) {
                        append(group);
                        toLoader.accept(task);
                    } else {
                        group.add((Pending) next);
                    }
                    next = ++taken < MAX_GROUP ? incoming.poll() : null;
                }
                append(group);
            } catch (InterruptedException e) {
                if (!running.getAsBoolean()) {
                    continue;
                }
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                log.error("journal loop failed", e);
            }
        }
    }

    private void append(List<Pending> group) {
        if (group.isEmpty()) {
            return;
        }
        List<IngestJournal.Entry> entries = new ArrayList<>(group.size());
        for (Pending p : group) {
            entries.add(new IngestJournal.Entry(p.appId(), p.events(), p.journalBytes()));
        }
        long start = System.nanoTime();
        try {
            long recordStart = journal.end();
            long[] positions = journal.append(entries);
            meters.journalAppend.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            progress.journaled(positions[positions.length - 1]);
            for (int i = 0; i < group.size(); i++) {
                Pending p = group.get(i);
                toLoader.accept(Journaled.whole(p.appId(), p.prepared(), p.heapBytes(), p.facts(), recordStart, positions[i]));
                recordStart = positions[i];
            }
            for (Pending p : group) {
                p.done().complete(null);
            }
        } catch (IOException | RuntimeException e) {
            log.error("appending {} requests to the ingest journal failed: {}", group.size(), e.getMessage());
            StorageException failure = new StorageException("the ingest journal could not be written: " + e.getMessage(), e);
            for (Pending p : group) {
                budget.release(p.events(), p.heapBytes());
                p.done().completeExceptionally(failure);
            }
        } finally {
            group.clear();
        }
    }
}
