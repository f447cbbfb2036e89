package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import dev.traceflow.storage.EventWriteQueue;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitWriterTest {

    private GroupCommitWriter writer;

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.stop();
        }
    }

    private static List<Event> events(int n, String idPrefix) {
        List<Event> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(Event.builder("app", EventType.PAGEVIEW, System.currentTimeMillis())
                    .eventId(idPrefix == null ? null : idPrefix + i).build());
        }
        return list;
    }

    @Test
    void submit_completesOnceCommittedAndSplitsDuplicatesPerRequest() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            writer = new GroupCommitWriter(storage, 10_000, 5_000, new SimpleMeterRegistry());
            writer.start();
            WriteResult first = writer.submit(events(3, "a")).get(10, TimeUnit.SECONDS);
            WriteResult second = writer.submit(events(4, "a")).get(10, TimeUnit.SECONDS);

            assertThat(first.stored()).isEqualTo(3);
            assertThat(second.stored()).as("a0..a2 are duplicates, a3 is new").isEqualTo(1);
            assertThat(second.isDuplicate(0)).isTrue();
            assertThat(second.isDuplicate(3)).isFalse();
            assertThat(storage.counts().count("app", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60))).isEqualTo(4);
        }
    }

    @Test
    void writerThread_groupsWaitingRequestsIntoOneCommit() throws Exception {
        BlockingStorage storage = new BlockingStorage();
        writer = new GroupCommitWriter(storage, 10_000, 5_000, new SimpleMeterRegistry());
        writer.start();
        CompletableFuture<WriteResult> blocker = writer.submit(events(1, null));
        storage.entered.await(5, TimeUnit.SECONDS);
        List<CompletableFuture<WriteResult>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(writer.submit(events(2, null)));
        }
        storage.release.countDown();
        blocker.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<WriteResult> f : waiting) {
            assertThat(f.get(5, TimeUnit.SECONDS).stored()).isEqualTo(2);
        }
        assertThat(storage.writeSizes).containsExactly(1, 20);
    }

    @Test
    void submit_refusesAtOnceWhenTheQueueIsFull() throws Exception {
        BlockingStorage storage = new BlockingStorage();
        writer = new GroupCommitWriter(storage, 100, 100, new SimpleMeterRegistry());
        writer.start();
        writer.submit(events(60, null));
        storage.entered.await(5, TimeUnit.SECONDS);
        writer.submit(events(40, null));

        assertThatThrownBy(() -> writer.submit(events(1, null))).isInstanceOf(EventWriteQueue.QueueFullException.class);
        assertThat(writer.queuedEvents()).isEqualTo(100);
        storage.release.countDown();
    }

    @Test
    void submit_requestLargerThanTheWholeQueueIsTakenWhenTheQueueIsEmpty() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            writer = new GroupCommitWriter(storage, 10, 10, new SimpleMeterRegistry());
            writer.start();
            assertThat(writer.submit(events(50, null)).get(10, TimeUnit.SECONDS).stored()).isEqualTo(50);
        }
    }

    @Test
    void storageFailure_failsEveryRequestOfTheGroupAndFreesTheQueue() throws Exception {
        BlockingStorage storage = new BlockingStorage();
        storage.fail = true;
        storage.release.countDown();
        writer = new GroupCommitWriter(storage, 100, 100, new SimpleMeterRegistry());
        writer.start();
        CompletableFuture<WriteResult> f = writer.submit(events(5, null));

        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StorageException.class);
        assertThat(writer.queuedEvents()).isZero();
    }

    @Test
    void stop_commitsWhatIsQueuedThenRefusesNewWork() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            writer = new GroupCommitWriter(storage, 10_000, 100, new SimpleMeterRegistry());
            writer.start();
            List<CompletableFuture<WriteResult>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pending.add(writer.submit(events(10, null)));
            }
            writer.stop();
            for (CompletableFuture<WriteResult> f : pending) {
                assertThat(f.isDone() && !f.isCompletedExceptionally()).isTrue();
            }
            assertThat(storage.counts().count("app", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60))).isEqualTo(500);
            assertThatThrownBy(() -> writer.submit(events(1, null))).isInstanceOf(EventWriteQueue.QueueFullException.class);
            writer = null;
        }
    }

    @Test
    void twoWriterThreads_drainOneQueueAndStoreEachEventIdOnce() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            // other tests' servers in this JVM have writer threads too: count only the new ones
            java.util.Set<Thread> before = writerThreadsAlive();
            writer = new GroupCommitWriter(storage, 2, 100_000, 500, new SimpleMeterRegistry());
            writer.start();
            java.util.Set<Thread> started = writerThreadsAlive();
            started.removeAll(before);
            assertThat(started).hasSize(2);
            // 40 requests of 50 events; every id appears in two requests
            List<CompletableFuture<WriteResult>> pending = new ArrayList<>();
            for (int copy = 0; copy < 2; copy++) {
                for (int request = 0; request < 20; request++) {
                    pending.add(writer.submit(events(50, "r" + request + "-")));
                }
            }
            int stored = 0;
            for (CompletableFuture<WriteResult> f : pending) {
                stored += f.get(10, TimeUnit.SECONDS).stored();
            }
            java.util.Set<String> threads = new java.util.HashSet<>();
            for (int i = 0; i < 20; i++) {
                threads.add(writer.onWriter(w -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS));
            }

            assertThat(stored).isEqualTo(1000);
            assertThat(storage.counts().count("app", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60))).isEqualTo(1000);
            assertThat(threads).allMatch(name -> name.startsWith("traceflow-storage-writer"));
        }
    }

    @Test
    void onWriter_runsTasksOnTheWriterThread() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            writer = new GroupCommitWriter(storage, 100, 100, new SimpleMeterRegistry());
            writer.start();
            String thread = writer.onWriter(w -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
            assertThat(thread).isEqualTo("traceflow-storage-writer");
        }
    }

    private static java.util.Set<Thread> writerThreadsAlive() {
        java.util.Set<Thread> threads = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("traceflow-storage-writer")) {
                threads.add(t);
            }
        }
        return threads;
    }

    /** A storage whose writes wait for a latch, to hold the writer thread busy while requests queue up. */
    static final class BlockingStorage implements EventStorage, EventWriter {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> writeSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean fail;

        public String name() { return "blocking"; }
        public EventWriter writer() { return this; }
        public EventCounts counts() { throw new UnsupportedOperationException(); }
        public void check() { }
        public void close() { }

        public WriteResult write(List<Event> events) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new StorageException("disk full");
            }
            writeSizes.add(events.size());
            return new WriteResult(events.size(), new BitSet());
        }

        public long deleteOlderThan(String appId, Instant cutoff) { return 0; }
    }
}
