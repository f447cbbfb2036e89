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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class JournaledWriteQueueTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, AtomicInteger> told = new ConcurrentHashMap<>();
    private final EventWriteQueue.StoredListener listener = (appId, stored, duplicates) -> {
        told.computeIfAbsent(appId + ":stored", k -> new AtomicInteger()).addAndGet(stored);
        told.computeIfAbsent(appId + ":duplicate", k -> new AtomicInteger()).addAndGet(duplicates);
    };

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private DuckDbStorage duck() {
        DuckDbStorage storage = new DuckDbStorage(dir.resolve("events.duckdb"), 1, "256MB", 10_000);
        open.add(storage);
        return storage;
    }

    private JournaledWriteQueue queue(EventStorage storage, int capacity, Duration linger, SimpleMeterRegistry registry) {
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, capacity, 50_000, linger);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, listener, registry);
        q.start();
        open.add(q::stop);
        return q;
    }

    private static List<Event> events(int n, String idPrefix) {
        List<Event> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(Event.builder("app", EventType.PAGEVIEW, System.currentTimeMillis())
                    .eventId(idPrefix == null ? null : idPrefix + i).build());
        }
        return list;
    }

    private static long count(EventStorage storage) {
        return storage.counts().count("app", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
    }

    @Test
    void submit_completesOnceJournaledAndTheLoaderStoresAndReportsDuplicates() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofMillis(50), new SimpleMeterRegistry());

        q.submit("app", events(3, "a")).get(5, TimeUnit.SECONDS);
        q.submit("app", events(2, "a")).get(5, TimeUnit.SECONDS); // a0, a1 again

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(3);
        assertThat(told.get("app:stored").get()).isEqualTo(3);
        assertThat(told.get("app:duplicate").get()).isEqualTo(2);
        assertThat(q.queuedEvents()).isZero();
    }

    @Test
    void loader_storesManyRequestsInOneTransaction() throws Exception {
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JournaledWriteQueue q = queue(storage, 100_000, Duration.ofSeconds(2), registry);

        List<java.util.concurrent.CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            acks.add(q.submit("app", events(10, "r" + i + "-")));
        }
        for (var ack : acks) {
            ack.get(5, TimeUnit.SECONDS);
        }
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();

        assertThat(count(storage)).isEqualTo(400);
        long transactions = registry.get("traceflow.storage.commit.events").summary().count();
        assertThat(transactions).as("40 requests, gathered").isLessThan(10);
        assertThat(registry.get("traceflow.storage.journal.append").timer().count()).isPositive();
    }

    @Test
    void submit_refusesAtOnceWhenFullAndTakesAgainOnceStored() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.closeGate();
        JournaledWriteQueue q = queue(storage, 100, Duration.ZERO, new SimpleMeterRegistry());

        q.submit("app", events(60, "a")).get(5, TimeUnit.SECONDS);
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> q.submit("app", events(60, "b"))).isInstanceOf(EventWriteQueue.QueueFullException.class);

        storage.openGate();
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        q.submit("app", events(60, "c")).get(5, TimeUnit.SECONDS);
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(120);
    }

    @Test
    void awaitRoom_waitsWhileMoreThanHalfFull() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.closeGate();
        JournaledWriteQueue q = queue(storage, 100, Duration.ZERO, new SimpleMeterRegistry());
        assertThat(q.awaitRoom(Duration.ZERO)).isTrue();
        q.submit("app", events(60, "a")).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitRoom(Duration.ofMillis(100))).isFalse();

        var admitted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return q.awaitRoom(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        storage.openGate();
        assertThat(admitted.get(10, TimeUnit.SECONDS)).isTrue();
    }

    private JournaledWriteQueue batchingQueue(EventStorage storage, int batchEvents, Duration maxDelay, SimpleMeterRegistry registry) {
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, 100_000, 50_000, batchEvents,
                Duration.ZERO, maxDelay);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, listener, registry);
        q.start();
        open.add(q::stop);
        return q;
    }

    @Test
    void loader_waitsForAFullBatchWhileEventsArriveFastEnoughToFillOne() throws Exception {
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // 500-event batches within 5 s need 100 events/s; this stream sends ~1,500/s
        JournaledWriteQueue q = batchingQueue(storage, 500, Duration.ofSeconds(5), registry);

        // the rate is measured over a second first, so stream for about two
        for (int i = 0; i < 80; i++) {
            q.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
        long start = System.nanoTime();
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();

        // a reader does not wait for the batch to fill: it makes the loader load at once
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(count(storage)).isEqualTo(2400);
        // 30-event requests 20 ms apart only add up to 500 when the loader waits for them
        assertThat(registry.get("traceflow.storage.commit.events").summary().max()).isGreaterThanOrEqualTo(500);
    }

    @Test
    void loader_loadsAtOnceWhileEventsArriveTooSlowlyToFillABatch() throws Exception {
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // 500-event batches within 1 s need 500 events/s; this stream sends ~30/s
        JournaledWriteQueue q = batchingQueue(storage, 500, Duration.ofSeconds(1), registry);

        for (int i = 1; i <= 4; i++) {
            q.submit("app", events(10, null)).get(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
            while (count(storage) < i * 10L && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // stored without a reader asking and well before the 1 s batch wait would end
            assertThat(count(storage)).isEqualTo(i * 10L);
            Thread.sleep(300);
        }
        assertThat(registry.get("traceflow.storage.commit.events").summary().count()).isEqualTo(4);
    }

    @Test
    void settings_refuseABatchLargerThanATransaction() {
        assertThatThrownBy(() -> new JournaledWriteQueue.Settings(dir, 1 << 20, 1000, 100, 200, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch <= max load");
    }

    @Test
    void submit_largerThanTheWholeQueueIsTakenWhenTheQueueIsEmpty() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10, Duration.ZERO, new SimpleMeterRegistry());

        q.submit("app", events(50, null)).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(50);
    }

    @Test
    void storeFailure_isRetriedUntilItWorksAndNothingIsLostOrDoubled() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.failures.set(3);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JournaledWriteQueue q = queue(storage, 1000, Duration.ZERO, registry);

        q.submit("app", events(7, "x")).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(20))).isTrue();
        assertThat(count(storage)).isEqualTo(7);
        assertThat(q.loadError()).isNull();
        assertThat(registry.get("traceflow.storage.load.failures").counter().count()).isEqualTo(3);
    }

    @Test
    void restart_loadsWhatWasAcknowledgedButNotStored_once() throws Exception {
        GatedStorage failing = new GatedStorage(duck());
        failing.failures.set(Integer.MAX_VALUE);
        JournaledWriteQueue first = queue(failing, 1000, Duration.ZERO, new SimpleMeterRegistry());
        first.submit("app", events(5, "p")).get(5, TimeUnit.SECONDS);
        first.submit("app", events(4, null)).get(5, TimeUnit.SECONDS);
        first.stop(); // the store still fails: the events stay in the journal
        assertThat(count(failing)).isZero();

        JournaledWriteQueue second = queue(failing.delegate, 1000, Duration.ZERO, new SimpleMeterRegistry());
        assertThat(count(failing.delegate)).as("loaded during start").isEqualTo(9);
        assertThat(told.get("app:stored").get()).isEqualTo(9);
        second.submit("app", events(1, "later")).get(5, TimeUnit.SECONDS);
        second.stop();

        queue(failing.delegate, 1000, Duration.ZERO, new SimpleMeterRegistry());
        assertThat(count(failing.delegate)).as("nothing loaded twice").isEqualTo(10);
    }

    private JournaledWriteQueue rowGroupQueue(EventStorage storage, int batch) {
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, 10_000, 5_000, batch,
                Duration.ZERO, Duration.ZERO);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, listener, new SimpleMeterRegistry());
        q.start();
        open.add(q::stop);
        return q;
    }

    /** One request loaded alone, then 7 requests of 30 waiting: a row group of 100 is the unit. */
    private static void sevenRequestsBehindOne(GatedStorage storage, JournaledWriteQueue q) throws Exception {
        storage.closeGate();
        q.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 7; i++) {
            q.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
        }
        storage.openGate();
    }

    @Test
    void loader_endsABacklogTransactionOnWholeRowGroupsAndSplitsARequestToDoIt() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        JournaledWriteQueue q = rowGroupQueue(storage, 100);

        sevenRequestsBehindOne(storage, q);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(storage.commitSizes).as("the lone request, two row groups, the split request's rest")
                .containsExactly(30, 200, 10);
        assertThat(count(storage)).isEqualTo(240);
        assertThat(told.get("app:stored").get()).isEqualTo(240);
        assertThat(q.queuedEvents()).isZero();
    }

    @Test
    void restart_afterATransactionEndedInsideARequest_loadsOnlyTheRestOfIt(
            org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        // the store fails from the transaction after the two row groups on: the split request's
        // last 10 events stay in the journal (they have no eventId, so storing twice would show)
        storage.failAfterCommits = 2;
        JournaledWriteQueue first = rowGroupQueue(storage, 100);
        sevenRequestsBehindOne(storage, first);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (storage.commitSizes.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        first.stop();
        assertThat(storage.commitSizes).containsExactly(30, 200);
        assertThat(count(storage)).isEqualTo(230);

        JournaledWriteQueue second = rowGroupQueue(storage.delegate, 100);
        assertThat(second.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage.delegate)).as("each event once").isEqualTo(240);
        assertThat(told.get("app:stored").get()).isEqualTo(240);
        // the operator sees why the restart loads part of a request
        assertThat(output.getAll())
                .contains("The first 20 of 30 events of the oldest request waiting were stored before the stop")
                .contains("Loading 10 events of 1 requests acknowledged before the last stop");
    }

    @Test
    void loader_warnsAboutATransactionSlowerThanASecond(org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        JournaledWriteQueue q = queue(storage, 1000, Duration.ofMillis(1), new SimpleMeterRegistry());
        storage.closeGate();
        var pending = q.submit("app", events(30, null));
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(1100);
        storage.openGate();
        pending.get(5, TimeUnit.SECONDS);
        assertThat(q.awaitStored(Duration.ofSeconds(5))).isTrue();
        assertThat(output.getAll()).containsPattern("storing 30 events in gated took \\d{4,} ms");
    }

    @Test
    void restart_loadsTheBacklogInWholeRowGroupsToo() throws Exception {
        GatedStorage failing = new GatedStorage(duck());
        failing.failures.set(Integer.MAX_VALUE);
        JournaledWriteQueue first = rowGroupQueue(failing, 100);
        for (int i = 0; i < 7; i++) {
            first.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
        }
        first.stop(); // the store still fails: all 210 events stay in the journal

        GatedStorage recovered = new GatedStorage(failing.delegate);
        rowGroupQueue(recovered, 100);

        assertThat(recovered.commitSizes).as("loaded during start").containsExactly(200, 10);
        assertThat(count(recovered)).isEqualTo(210);
    }

    @Test
    void onWriter_runsAfterTheEventsAcknowledgedBeforeIt() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofSeconds(5), new SimpleMeterRegistry());
        q.submit("app", events(5, null)).get(5, TimeUnit.SECONDS);

        long seen = q.onWriter(w -> count(storage)).get(10, TimeUnit.SECONDS);

        assertThat(seen).isEqualTo(5);
    }

    @Test
    void stop_storesEverythingAcceptedThenRefusesNewWork() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofSeconds(30), new SimpleMeterRegistry());
        q.submit("app", events(25, null)).get(5, TimeUnit.SECONDS);

        q.stop();

        assertThat(count(storage)).isEqualTo(25);
        assertThatThrownBy(() -> q.submit("app", events(1, null))).isInstanceOf(EventWriteQueue.QueueFullException.class);
        try (var files = Files.list(dir.resolve("journal"))) {
            assertThat(files.filter(p -> p.toFile().length() > 0).count()).as("loaded segments deleted").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void loadedSegments_areDeleted() throws Exception {
        DuckDbStorage storage = duck();
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 4096, 100_000, 50_000, Duration.ZERO);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, listener, new SimpleMeterRegistry());
        q.start();
        open.add(q::stop);
        for (int i = 0; i < 30; i++) {
            q.submit("app", events(20, "s" + i + "-")).get(5, TimeUnit.SECONDS);
        }
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        q.submit("app", events(1, null)).get(5, TimeUnit.SECONDS); // rolls and deletes behind the loader
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();

        try (var files = Files.list(dir.resolve("journal"))) {
            assertThat(files.count()).isLessThanOrEqualTo(2);
        }
        assertThat(count(storage)).isEqualTo(601);
    }

    @Test
    void journalWriteFailure_failsThoseRequestsStoresNothingOfThemAndRecoversWithTheDisk() throws Exception {
        // A disk that fills up: the journal's next segment is /dev/full, where every write fails
        // with ENOSPC. Segments roll after every append (1 byte), and two appends of the same
        // events are the same size, so the segment the third append goes to starts at 2 x the first.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path journalDir = dir.resolve("journal");
        var settings = new JournaledWriteQueue.Settings(journalDir, 1, 10_000, 50_000, Duration.ZERO);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, listener, registry);
        q.start();
        open.add(q::stop);
        List<Event> batch = events(10, null);

        q.submit("app", batch).get(5, TimeUnit.SECONDS);
        long firstEnd;
        try (var files = Files.list(journalDir)) {
            firstEnd = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElseThrow();
        }
        assertThat(firstEnd).isPositive();
        Path full = Files.createSymbolicLink(journalDir.resolve(String.format("%020d.journal", 2 * firstEnd)), Path.of("/dev/full"));
        q.submit("app", batch).get(5, TimeUnit.SECONDS); // fits; the journal then rolls onto /dev/full

        var failed = q.submit("app", batch);
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class)
                .cause().isInstanceOf(StorageException.class)
                .hasMessageContaining("the ingest journal could not be written");

        assertThatThrownBy(() -> q.submit("app", batch).get(5, TimeUnit.SECONDS))
                .as("still full: the next request fails too").cause().isInstanceOf(StorageException.class);

        Files.delete(full); // space again: the next append starts a fresh segment
        q.submit("app", batch).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).as("the three journaled requests, nothing of the failed ones").isEqualTo(30);
        assertThat(q.queuedEvents()).as("the failed requests' room is given back").isZero();
        assertThat(told.get("app:stored").get()).isEqualTo(30);
    }

    /** Delegates to a real store; its writes can wait for a gate or fail a number of times. */
    static final class GatedStorage implements EventStorage, EventWriter {
        final DuckDbStorage delegate;
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger failures = new AtomicInteger();
        /** Rows of each successful transaction, in order. */
        final List<Integer> commitSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile int failAfterCommits = Integer.MAX_VALUE;
        volatile CountDownLatch gate = new CountDownLatch(0);

        GatedStorage(DuckDbStorage delegate) {
            this.delegate = delegate;
        }

        void closeGate() {
            gate = new CountDownLatch(1);
        }

        void openGate() {
            gate.countDown();
        }

        public String name() { return "gated"; }
        public EventWriter writer() { return this; }
        public EventCounts counts() { return delegate.counts(); }
        public void check() { }
        public void close() { }

        public byte[] encode(List<Event> events) {
            return delegate.writer().encode(events);
        }

        public byte[] slice(byte[] batch, int from, int to) {
            return delegate.writer().slice(batch, from, to);
        }

        public WriteResult writeEncoded(List<byte[]> batches, long position) {
            entered.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0 || commitSizes.size() >= failAfterCommits) {
                throw new StorageException("disk full");
            }
            WriteResult result = delegate.writer().writeEncoded(batches, position);
            commitSizes.add(result.stored() + result.duplicates().cardinality());
            return result;
        }

        public long storedPosition() {
            return delegate.writer().storedPosition();
        }

        public long deleteOlderThan(String appId, Instant cutoff) {
            return delegate.writer().deleteOlderThan(appId, cutoff);
        }
    }
}
